package io.llmopt.model;

import static io.llmopt.tensor.kernel.Exp.HI;
import static io.llmopt.tensor.kernel.Exp.LN2_HI;
import static io.llmopt.tensor.kernel.Exp.LN2_LO;
import static io.llmopt.tensor.kernel.Exp.LO;
import static io.llmopt.tensor.kernel.Exp.LOG2E;
import static io.llmopt.tensor.kernel.Exp.P0;
import static io.llmopt.tensor.kernel.Exp.P1;
import static io.llmopt.tensor.kernel.Exp.P2;
import static io.llmopt.tensor.kernel.Exp.P3;
import static io.llmopt.tensor.kernel.Exp.P4;
import static io.llmopt.tensor.kernel.Exp.P5;
import static io.llmopt.tensor.kernel.Exp.ROUND;

import io.llmopt.tensor.kernel.Exp;
import io.llmopt.tensor.kernel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * SwiGLU gating: gate[i] = silu(gate[i]) · up[i], with silu(x) = x / (1 + e^−x).
 *
 * <p>e^−x is {@link Exp}'s (Cephes' single-precision method in fused multiply-adds), repeated inside the vector
 * loop so that the gate is one pass; the vector loop and the scalar twin {@link #scalar} give the same bits in
 * every JIT tier. Every element, tails included, goes through the same operations, so a token's
 * values do not depend on its position in a batch. Measured: the scalar Math.exp loop took 0.68 ms per token
 * of a 1.1B model's decode (22 layers × 5632 values, profile-decode, 2026-11-23).
 */
public final class SwiGlu {
    /** Elements per pool chunk (a decode step of a 1.1B model, 5632 elements, is split in three). */
    private static final int CHUNK = 2048;
    private static final VectorSpecies<Float> F = species();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final boolean VECTOR = !"scalar".equalsIgnoreCase(System.getProperty("llmopt.kernels", ""));

    private SwiGlu() {
    }

    private static VectorSpecies<Float> species() {
        String bits = System.getProperty("llmopt.vector.bits", "");
        return bits.isEmpty() ? FloatVector.SPECIES_PREFERRED
                : VectorSpecies.of(float.class, VectorShape.forBitSize(Integer.parseInt(bits)));
    }

    public static void apply(float[] gate, float[] up, int n) {
        apply(gate, up, 0, n);
    }

    /** As {@link #apply(float[], float[], int)}, split between the pool's threads when n is large (same bits: elementwise). */
    public static void apply(float[] gate, float[] up, int n, WorkerPool pool) {
        if (n < 2 * CHUNK) {
            apply(gate, up, 0, n);
            return;
        }
        pool.run((n + CHUNK - 1) / CHUNK, 1, (worker, from, to) -> apply(gate, up, from * CHUNK, Math.min(n, to * CHUNK)));
    }

    /** gate[i] = silu(gate[i])·up[i] for i in [from, to): vector lanes, the last vector masked. */
    static void apply(float[] gate, float[] up, int from, int to) {
        if (!VECTOR) {
            for (int i = from; i < to; i++) {
                gate[i] = scalar(gate[i], up[i]);
            }
            return;
        }
        for (int i = from; i < to; i += F.length()) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector g = FloatVector.fromArray(F, gate, i, m);
            FloatVector x = g.neg().max(LO).min(HI);
            FloatVector k = x.fma(LOG2E, ROUND).sub(ROUND);
            FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), x);
            r = k.fma(FloatVector.broadcast(F, -LN2_LO), r);
            FloatVector p = r.fma(P0, P1);
            p = p.fma(r, FloatVector.broadcast(F, P2));
            p = p.fma(r, FloatVector.broadcast(F, P3));
            p = p.fma(r, FloatVector.broadcast(F, P4));
            p = p.fma(r, FloatVector.broadcast(F, P5));
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            IntVector bits = ((IntVector) k.convertShape(VectorOperators.F2I, I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = y.mul(bits.reinterpretAsFloats());
            // NaN gates: the clamp above turned them into numbers; blend them back so they propagate
            FloatVector s = g.div(e.add(1f)).mul(FloatVector.fromArray(F, up, i, m));
            s = s.blend(g, g.test(VectorOperators.IS_NAN));
            s.intoArray(gate, i, m);
        }
    }

    /** The scalar twin: silu(g)·u with {@link #exp}, the vector loop's operations one lane at a time. */
    static float scalar(float g, float u) {
        if (g != g) {
            return g;
        }
        return g / (exp(-g) + 1f) * u;
    }

    /** e^x: {@link Exp#exp}, whose arithmetic the vector loop repeats lane by lane. */
    static float exp(float x) {
        return Exp.exp(x);
    }
}
