/**
 * Sparse weight formats and their matrix–vector products, for running pruned models: CSR for high unstructured
 * sparsity and a packed 2:4 format (two values plus two 2-bit positions per group of four). Each product has a
 * scalar reference ({@code *Scalar}) and a Vector API version checked against it; {@code SparseBenchmark} (test
 * scope, opt-in) finds the crossover against the dense F32 kernel.
 *
 * <p>Depends on tensor only.
 */
package io.llmopt.compress.prune.sparse;
