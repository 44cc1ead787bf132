package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Activations quantized to 8 bits per block of 32 columns, the other operand of the quantized column-panel kernels
 * (Q8_0, Q4_0 and the others; llama.cpp multiplies Q8_0 and Q4_0 weights with activations quantized the same way,
 * its Q8_0 blocks). For a block
 * x[0..32): d = max|x| / 127, id = 1/d (0 when d = 0), q = rint(x·id) clamped to [−127, 127]. The product
 * with a Q4_0 row is then Σ_c (q_w − 8)·q_x per block, an integer of magnitude ≤ 32 · 8 · 127 = 32512 that
 * 16-bit lanes hold exactly, times d_w·d_x, with d_x rounded to fp16 as in llama.cpp ({@link #stored}).
 *
 * <p>{@link #quantize} is the scalar definition; {@link #quantizeRow} its vector twin (same values: rint is
 * computed as (v + 1.5·2²³) − 1.5·2²³, which rounds to nearest-even exactly for |v| ≤ 2²²).
 */
final class Q8Activations {
    /** Columns per block. */
    static final int BLOCK = 32;
    /** 1.5·2²³: adding and subtracting it rounds a float of magnitude ≤ 2²² to an integer, ties to even. */
    private static final float ROUND = 12582912f;

    private Q8Activations() {
    }

    /** d of the block x[o .. o + 32): max |x| / 127 (NaN if the block holds a NaN). */
    static float scale(float[] x, int o) {
        float amax = 0f;
        for (int i = 0; i < BLOCK; i++) {
            float a = Math.abs(x[o + i]);
            amax = a > amax || Float.isNaN(a) ? a : amax;
        }
        return amax / 127f;
    }

    /**
     * The scale the products use: d rounded to fp16 as llama.cpp stores it (d itself where fp16 would overflow,
     * which llama.cpp turns into inf). The rounding matters at the level of the reference tests: on
     * ref-tinystories-Q4_0-pure, 16 chunks at -c 256, float32 d gave PPL 6.40964 and fp16 d 6.40587, against
     * 6.40646 for float64 on the dequantized weights and 6.4067 for llama-perplexity.
     */
    static float stored(float d) {
        float h = Float.float16ToFloat(Float.floatToFloat16(d));
        return Float.isInfinite(h) && !Float.isInfinite(d) ? d : h;
    }

    /** 1/d, or 0 for d = 0. */
    static float inverse(float d) {
        return d != 0f ? 1f / d : 0f;
    }

    /** The quantized value of v: rint(v·id) clamped to [−127, 127] (0 for NaN). */
    static int quantize(float v, float id) {
        float s = Math.min(127f, Math.max(-127f, (float) Math.rint(v * id)));
        return s == s ? (int) s : 0;
    }

    /**
     * Quantizes x[xo .. xo + cols) (cols a multiple of 32): q[qo + c] the 8-bit values, d[dOffset + b] the scale
     * of block b.
     */
    static void quantize(float[] x, int xo, int cols, short[] q, int qo, float[] d, int dOffset) {
        for (int b = 0; b < cols / BLOCK; b++) {
            int o = xo + BLOCK * b;
            float s = scale(x, o);
            float id = inverse(s);
            d[dOffset + b] = stored(s);
            for (int i = 0; i < BLOCK; i++) {
                q[qo + BLOCK * b + i] = (short) quantize(x[o + i], id);
            }
        }
    }

    /**
     * For the Q4_K kernels: s[so + b] = (Σ of block b's 8-bit values)·d[dOffset + b], the values q (as floats,
     * cols of them from qo) and scales d as {@link #quantizeRow} gives them. The sum is an integer of magnitude
     * ≤ 4064, exact in any order; the product is rounded once.
     */
    static void blockSums(float[] q, int qo, int cols, float[] d, int dOffset, float[] s, int so) {
        for (int b = 0; b < cols / BLOCK; b++) {
            int o = qo + BLOCK * b;
            // a tree over the block's BLOCK / L vectors, no loop-carried vector (see Simd); the branches fold away
            FloatVector v = FloatVector.fromArray(F, q, o).add(FloatVector.fromArray(F, q, o + L));
            if (L <= 8) {
                v = FloatVector.fromArray(F, q, o + 2 * L).add(FloatVector.fromArray(F, q, o + 3 * L)).add(v);
            }
            if (L <= 4) {
                v = FloatVector.fromArray(F, q, o + 4 * L).add(FloatVector.fromArray(F, q, o + 5 * L))
                        .add(FloatVector.fromArray(F, q, o + 6 * L).add(FloatVector.fromArray(F, q, o + 7 * L))).add(v);
            }
            s[so + b] = v.reduceLanes(VectorOperators.ADD) * d[dOffset + b];
        }
    }

    /**
     * The vector twin of {@link #quantize}: the 8-bit values of x[xo .. xo + cols) as floats at q[qo ..], the
     * block scales at d[dOffset ..]; cols a multiple of 32.
     */
    static void quantizeRow(float[] x, int xo, int cols, float[] q, int qo, float[] d, int dOffset) {
        for (int b = 0; b < cols / BLOCK; b++) {
            int o = xo + BLOCK * b;
            // a tree over the block's BLOCK / L vectors, no loop-carried vector (see Simd); the branches fold away
            FloatVector m = FloatVector.fromArray(F, x, o).lanewise(VectorOperators.ABS).max(FloatVector.fromArray(F, x, o + L).lanewise(VectorOperators.ABS));
            if (L <= 8) {
                m = FloatVector.fromArray(F, x, o + 2 * L).lanewise(VectorOperators.ABS).max(FloatVector.fromArray(F, x, o + 3 * L).lanewise(VectorOperators.ABS)).max(m);
            }
            if (L <= 4) {
                m = FloatVector.fromArray(F, x, o + 4 * L).lanewise(VectorOperators.ABS).max(FloatVector.fromArray(F, x, o + 5 * L).lanewise(VectorOperators.ABS))
                        .max(FloatVector.fromArray(F, x, o + 6 * L).lanewise(VectorOperators.ABS).max(FloatVector.fromArray(F, x, o + 7 * L).lanewise(VectorOperators.ABS))).max(m);
            }
            float s = m.reduceLanes(VectorOperators.MAX) / 127f; // max is exact in any order, NaN wins in any order
            float id = inverse(s);
            d[dOffset + b] = stored(s);
            for (int i = 0; i < BLOCK; i += L) {
                FloatVector.fromArray(F, x, o + i).mul(id).add(ROUND).sub(ROUND).max(-127f).min(127f).intoArray(q, qo + BLOCK * b + i);
            }
            if (!Float.isFinite(s)) { // a NaN or infinite input: NaN products become 0, as in the scalar definition
                for (int i = 0; i < BLOCK; i++) {
                    q[qo + BLOCK * b + i] = quantize(x[o + i], id);
                }
            }
        }
    }

    /**
     * out[c] = q[qo + c] for c &lt; n: quantized activations (integers in [−127, 127]) as shorts, which the 16-bit
     * GEMV kernels broadcast with one instruction (from a float each broadcast needs a conversion and C2's
     * range check).
     */
    static void toShorts(float[] q, int qo, int n, short[] out) {
        for (int c = 0; c < n; c++) {
            out[c] = (short) q[qo + c];
        }
    }
}
