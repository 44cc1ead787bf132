/**
 * Knowledge distillation: the distillation objective with an inference-model teacher (quantized teachers
 * allowed) and students initialised from the teacher by keeping every k-th layer.
 *
 * <p>Depends on {@code io.llmopt.train} and its ops, and on {@code io.llmopt.model} for the teacher.
 */
package io.llmopt.train.distill;
