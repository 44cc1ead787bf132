/**
 * Training on the JVM: a trainable float32 copy of a Llama-family model ({@link io.llmopt.train.ModelParameters}
 * in the flat {@link io.llmopt.train.ParameterLayout}), the training forward pass that saves activations and its
 * hand-written backward pass ({@link io.llmopt.train.TrainingModel}), objectives, and the training loop
 * ({@link io.llmopt.train.Trainer}) with gradient accumulation, clipping, AdamW, validation and checkpoints.
 *
 * <p>Subpackages: {@code ops} (forward/backward pairs of every op, the GEMM kernels), {@code optim} (AdamW,
 * learning-rate schedule, gradient clipping), {@code data} (text → token windows), {@code checkpoint} (atomic,
 * verified training state), {@code distill} (knowledge distillation).
 *
 * <p>Depends on {@code io.llmopt.model} (config, weights, loaders, writers, the inference model as teacher),
 * {@code io.llmopt.tokenizer} and {@code io.llmopt.tensor}; must not import the CLI, engine or server.
 */
package io.llmopt.train;
