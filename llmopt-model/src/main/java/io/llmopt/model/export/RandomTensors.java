package io.llmopt.model.export;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.loader.TensorNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Random weights for a config: matrices and biases ~ N(0, 0.02²) (the usual initializer_range), norm weights
 * 1. Every row is generated from (seed, tensor index, row) alone, so it is the same whatever order a writer
 * reads rows in. Normal deviates are the Irwin–Hall sum of four 16-bit uniforms, centred and scaled to unit
 * variance (tails cut at ±3.46σ): cheap enough for billions of weights; speed work does not depend on values.
 */
public final class RandomTensors {
    public static final float INIT_STD = 0.02f;
    private static final float CENTRE = 4 * 65535 / 2f;
    private static final float SCALE = (float) (INIT_STD * Math.sqrt(3.0) / 65536.0);

    private RandomTensors() {
    }

    public static List<ExportTensor> of(LlamaConfig c, TensorNames n, long seed) {
        List<ExportTensor> out = new ArrayList<>();
        long d = c.hiddenSize();
        out.add(random(n.tokenEmbedding(), seed, out.size(), c.vocabSize(), d));
        for (int l = 0; l < c.numLayers(); l++) {
            out.add(ones(TensorNames.layer(n.attnNorm(), l), d));
            out.add(random(TensorNames.layer(n.wq(), l), seed, out.size(), c.queryDim(), d));
            out.add(random(TensorNames.layer(n.wk(), l), seed, out.size(), c.kvDim(), d));
            out.add(random(TensorNames.layer(n.wv(), l), seed, out.size(), c.kvDim(), d));
            if (c.attentionBias()) {
                out.add(random(TensorNames.layer(n.bq(), l), seed, out.size(), c.queryDim()));
                out.add(random(TensorNames.layer(n.bk(), l), seed, out.size(), c.kvDim()));
                out.add(random(TensorNames.layer(n.bv(), l), seed, out.size(), c.kvDim()));
            }
            out.add(random(TensorNames.layer(n.wo(), l), seed, out.size(), d, c.queryDim()));
            out.add(ones(TensorNames.layer(n.ffnNorm(), l), d));
            out.add(random(TensorNames.layer(n.gate(), l), seed, out.size(), c.intermediateSize(), d));
            out.add(random(TensorNames.layer(n.up(), l), seed, out.size(), c.intermediateSize(), d));
            out.add(random(TensorNames.layer(n.down(), l), seed, out.size(), d, c.intermediateSize()));
        }
        out.add(ones(n.outputNorm(), d));
        if (!c.tiedEmbeddings()) {
            out.add(random(n.output(), seed, out.size(), c.vocabSize(), d));
        }
        return out;
    }

    private static ExportTensor ones(String name, long n) {
        return new ExportTensor(name, new long[] {n}, (row, dst) -> Arrays.fill(dst, 0, (int) n, 1f));
    }

    private static ExportTensor random(String name, long seed, int index, long... shape) {
        long stream = mix(seed * 0x632BE59BD9B4E019L + index);
        int cols = (int) shape[shape.length - 1];
        return new ExportTensor(name, shape, (row, dst) -> fill(stream, row, dst, cols));
    }

    static void fill(long stream, long row, float[] dst, int cols) {
        long state = mix(stream ^ (row * 0x9E3779B97F4A7C15L));
        for (int i = 0; i < cols; i++) {
            state += 0x9E3779B97F4A7C15L;
            long z = mix(state);
            long sum = (z & 0xFFFF) + ((z >>> 16) & 0xFFFF) + ((z >>> 32) & 0xFFFF) + (z >>> 48);
            dst[i] = (sum - CENTRE) * SCALE;
        }
    }

    /** SplitMix64's finaliser: a bijective 64-bit mixer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
