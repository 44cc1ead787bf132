/**
 * Numerical kernels: a scalar reference and Vector API twins behind {@link io.llmopt.tensor.kernel.Kernels}, chosen
 * once by {@link io.llmopt.tensor.kernel.KernelProvider}; the shared sized worker pool. Knows nothing of models.
 */
package io.llmopt.tensor.kernel;
