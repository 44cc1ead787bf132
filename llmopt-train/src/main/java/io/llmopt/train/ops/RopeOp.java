package io.llmopt.train.ops;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.Rope;
import io.llmopt.model.RopeLayout;
import io.llmopt.tensor.kernel.WorkerPool;

/**
 * Rotary position embedding, forward and backward, in place. Legend: R rows (batch × time, row r at position
 * r mod T), H heads per row, hd head size, (a, b) the pair RoPE rotates by angle θ(pos, i) (i &lt; ropeDim/2):
 * (2i, 2i+1) for the interleaved layout, (i, i + ropeDim/2) for the half layout.
 * <pre>
 * forward:   (a, b) ← (a·cos − b·sin,  a·sin + b·cos)
 * backward:  (da, db) ← (da·cos + db·sin, −da·sin + db·cos)     the transposed (inverse) rotation
 * </pre>
 * cos/sin come from {@link io.llmopt.model.Rope} itself (read off by rotating unit pairs), so every scaling
 * scheme and rounding is the inference model's.
 */
public final class RopeOp {
    private final int headDim;
    private final int half;
    private final RopeLayout layout;
    private final int seqLen;
    private final float[] cos; // [T][half]
    private final float[] sin; // [T][half]

    public RopeOp(LlamaConfig c, int seqLen) {
        this.headDim = c.headDim();
        this.half = c.ropeDim() / 2;
        this.layout = c.ropeLayout();
        this.seqLen = seqLen;
        this.cos = new float[seqLen * half];
        this.sin = new float[seqLen * half];
        Rope rope = new Rope(c, seqLen);
        float[] unit = new float[headDim];
        for (int p = 0; p < seqLen; p++) {
            for (int i = 0; i < half; i++) {
                unit[first(i)] = 1f;
                unit[first(i) + second()] = 0f;
            }
            rope.apply(unit, 0, 1, p);
            for (int i = 0; i < half; i++) {
                cos[p * half + i] = unit[first(i)];
                sin[p * half + i] = unit[first(i) + second()];
            }
        }
    }

    private int first(int i) {
        return layout == RopeLayout.INTERLEAVED ? 2 * i : i;
    }

    /** Distance from the first to the second element of a pair. */
    private int second() {
        return layout == RopeLayout.INTERLEAVED ? 1 : half;
    }

    public void forward(float[] x, int rows, int heads, WorkerPool pool) {
        rotate(x, rows, heads, 1f, pool);
    }

    public void backward(float[] dx, int rows, int heads, WorkerPool pool) {
        rotate(dx, rows, heads, -1f, pool);
    }

    /** Rotates by +θ (sign 1) or −θ (sign −1). */
    private void rotate(float[] x, int rows, int heads, float sign, WorkerPool pool) {
        int stride = heads * headDim;
        int step = second();
        pool.run(rows, Math.max(1, (1 << 15) / stride), (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                int t = (r % seqLen) * half;
                for (int h = 0; h < heads; h++) {
                    int base = r * stride + h * headDim;
                    for (int i = 0; i < half; i++) {
                        int a = base + first(i);
                        int b = a + step;
                        float c = cos[t + i];
                        float s = sign * sin[t + i];
                        float x0 = x[a];
                        float x1 = x[b];
                        x[a] = x0 * c - x1 * s;
                        x[b] = x0 * s + x1 * c;
                    }
                }
            }
        });
    }
}
