package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The softmax of attention scores, s ← e^(c·s − max) / Σ, with the same bits in vector lanes at every width and in
 * the scalar twin: scaling and normalizing are elementwise and the maximum does not depend on the order it is taken
 * in, and the sum is defined as {@value #PARTS} partial sums (partial j adds the elements i ≡ j mod 16 in order),
 * combined as p_j += p_{j+8}, then + 4, + 2, + 1. A single running sum was a chain of dependent adds, four cycles
 * each: at 2048 positions it took as long as the scores themselves (0.9 of 2.6 ns per position and head of a decoded
 * token, one Zen 5 core, 2026-11-24).
 */
public final class SoftmaxRows {
    /** Partial sums of {@link #sum}: a multiple of every vector length. */
    static final int PARTS = 16;
    private static final boolean VECTOR = !"scalar".equalsIgnoreCase(System.getProperty("llmopt.kernels", "")) && L <= PARTS;
    /** Per thread: the partial sums, lane by lane. */
    private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[PARTS]);

    private SoftmaxRows() {
    }

    /** s[o + i] = e^(c·s[o + i] − max) / Σ_i e^(c·s[o + i] − max) for i &lt; n (n ≥ 1), max over the scaled scores. */
    public static void softmax(float[] s, int o, int n, float c) {
        float max = scaleMax(s, o, n, c);
        Exp.shifted(s, o, n, max);
        scale(s, o, n, 1f / sum(s, o, n));
    }

    /** s[o + i] ·= c for i &lt; n; returns the largest result (Math.max's order: NaN wins, +0 over −0). */
    static float scaleMax(float[] s, int o, int n, float c) {
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (VECTOR) {
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; i + L <= n; i += L) {
                FloatVector x = FloatVector.fromArray(F, s, o + i).mul(c);
                x.intoArray(s, o + i);
                m = x.lanewise(VectorOperators.MAX, m);
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            float x = s[o + i] * c;
            s[o + i] = x;
            max = Math.max(max, x);
        }
        return max;
    }

    /** s[o + i] ·= c for i &lt; n. */
    static void scale(float[] s, int o, int n, float c) {
        int i = 0;
        if (VECTOR) {
            for (; i + L <= n; i += L) {
                FloatVector.fromArray(F, s, o + i).mul(c).intoArray(s, o + i);
            }
        }
        for (; i < n; i++) {
            s[o + i] *= c;
        }
    }

    /** Σ s[o + i], i &lt; n, in the order of the class comment. */
    static float sum(float[] s, int o, int n) {
        float[] p = PARTIALS.get();
        if (!VECTOR) {
            java.util.Arrays.fill(p, 0f);
            for (int i = 0; i < n; i++) {
                p[i % PARTS] += s[o + i];
            }
            return combine(p);
        }
        // PARTS / L accumulators, accumulator q holding the partials q·L .. q·L + L − 1
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i + PARTS <= n; i += PARTS) {
            a0 = FloatVector.fromArray(F, s, o + i).lanewise(VectorOperators.ADD, a0);
            if (L <= 8) {
                a1 = FloatVector.fromArray(F, s, o + i + L).lanewise(VectorOperators.ADD, a1);
            }
            if (L <= 4) {
                a2 = FloatVector.fromArray(F, s, o + i + 2 * L).lanewise(VectorOperators.ADD, a2);
                a3 = FloatVector.fromArray(F, s, o + i + 3 * L).lanewise(VectorOperators.ADD, a3);
            }
        }
        if (i < n) { // the last, partial round: masked lanes load +0, which leaves a partial's bits as they are
            int end = o + n;
            a0 = FloatVector.fromArray(F, s, o + i, F.indexInRange(o + i, end)).lanewise(VectorOperators.ADD, a0);
            if (L <= 8) {
                a1 = FloatVector.fromArray(F, s, o + i + L, F.indexInRange(o + i + L, end)).lanewise(VectorOperators.ADD, a1);
            }
            if (L <= 4) {
                a2 = FloatVector.fromArray(F, s, o + i + 2 * L, F.indexInRange(o + i + 2 * L, end)).lanewise(VectorOperators.ADD, a2);
                a3 = FloatVector.fromArray(F, s, o + i + 3 * L, F.indexInRange(o + i + 3 * L, end)).lanewise(VectorOperators.ADD, a3);
            }
        }
        Simd.ZERO.add(a0).intoArray(p, 0);
        if (L <= 8) {
            Simd.ZERO.add(a1).intoArray(p, L);
        }
        if (L <= 4) {
            Simd.ZERO.add(a2).intoArray(p, 2 * L);
            Simd.ZERO.add(a3).intoArray(p, 3 * L);
        }
        return combine(p);
    }

    /** p_j += p_{j+8}, then + 4, + 2, + 1; returns p_0. */
    private static float combine(float[] p) {
        for (int w = PARTS / 2; w >= 1; w /= 2) {
            for (int j = 0; j < w; j++) {
                p[j] += p[j + w];
            }
        }
        return p[0];
    }

    /** The scalar twin of {@link #softmax}, for tests: the same steps without vectors. */
    static void softmaxScalar(float[] s, int o, int n, float c) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            s[o + i] *= c;
            max = Math.max(max, s[o + i]);
        }
        for (int i = 0; i < n; i++) {
            s[o + i] = Exp.exp(s[o + i] - max);
        }
        float[] p = new float[PARTS];
        for (int i = 0; i < n; i++) {
            p[i % PARTS] += s[o + i];
        }
        float inv = 1f / combine(p);
        for (int i = 0; i < n; i++) {
            s[o + i] *= inv;
        }
    }
}
