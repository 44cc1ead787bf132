/**
 * Scalar reference codecs (dequantize, dot, quantize) for each element type, following ggml's block layouts and
 * reference rounding; the specification that fast kernels are tested against.
 */
package io.llmopt.tensor.quant;
