package io.llmopt.model;

import io.llmopt.tensor.Tensor;

/**
 * One decoder block's weights. Matrices are [out, in] tensors of any supported type (memory-mapped); norm
 * weights and biases are small float arrays (biases null when the architecture has none).
 *
 * <pre>
 * attnNorm [d]   wq [nH·hd, d]  wk [nKv·hd, d]  wv [nKv·hd, d]  wo [d, nH·hd]
 * ffnNorm  [d]   gate (w1) [ff, d]   up (w3) [ff, d]   down (w2) [d, ff]
 * </pre>
 */
public record LayerWeights(
        float[] attnNorm, Tensor wq, Tensor wk, Tensor wv, Tensor wo,
        float[] bq, float[] bk, float[] bv,
        float[] ffnNorm, Tensor gate, Tensor up, Tensor down) {
}
