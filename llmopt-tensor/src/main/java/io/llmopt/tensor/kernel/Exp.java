package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.I;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * e^x in single precision the same way in vector lanes and in scalar code: Cephes' method (range reduction by
 * k·ln 2 in two parts, a degree-5 polynomial on |r| ≤ ln 2 / 2, scaling by 2^k; within 2 ulp of the exact value
 * over [−86, 84]) written with fused multiply-adds only, so {@link #shifted} and its scalar twin {@link #exp}
 * give the same bits in every JIT tier (the Vector API's own EXP runs a library routine once compiled and
 * Math.exp in the interpreter, which differ in the last bit). Inputs are clamped to [{@link #LO}, {@link #HI}]:
 * e^x of a smaller x is e^LO ≈ 1.2e-38 instead of a subnormal or 0, of a larger one e^HI; NaN stays NaN.
 */
public final class Exp {
    /** Lower clamp: 2^k stays a normal float. */
    public static final float LO = -87.3365478515625f;
    /** Upper clamp: k ≤ 126. */
    public static final float HI = 87f;
    public static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2²³: adding and subtracting it rounds a float of magnitude below 2²² to the nearest integer (even on ties). */
    public static final float ROUND = 12582912f;
    public static final float LN2_HI = 0.693359375f;
    public static final float LN2_LO = -2.12194440e-4f;
    public static final float P0 = 1.9875691500e-4f;
    public static final float P1 = 1.3981999507e-3f;
    public static final float P2 = 8.3334519073e-3f;
    public static final float P3 = 4.1665795894e-2f;
    public static final float P4 = 1.6666665459e-1f;
    public static final float P5 = 5.0000001201e-1f;
    private static final boolean VECTOR = !"scalar".equalsIgnoreCase(System.getProperty("llmopt.kernels", ""));

    private Exp() {
    }

    /** e^x, the scalar twin of the vector lanes. */
    public static float exp(float x) {
        float c = Math.min(Math.max(x, LO), HI);
        float k = Math.fma(c, LOG2E, ROUND) - ROUND;
        float r = Math.fma(k, -LN2_HI, c);
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat(((int) k + 127) << 23);
    }

    /** s[o + i] = e^(s[o + i] − shift) for i &lt; n: vector lanes, the last vector masked; bits of {@link #exp}. */
    public static void shifted(float[] s, int o, int n, float shift) {
        if (!VECTOR) {
            for (int i = o; i < o + n; i++) {
                s[i] = exp(s[i] - shift);
            }
            return;
        }
        FloatVector nhi = FloatVector.broadcast(F, -LN2_HI), nlo = FloatVector.broadcast(F, -LN2_LO);
        FloatVector p2 = FloatVector.broadcast(F, P2), p3 = FloatVector.broadcast(F, P3), p4 = FloatVector.broadcast(F, P4),
                p5 = FloatVector.broadcast(F, P5);
        for (int i = o, end = o + n; i < end; i += F.length()) {
            VectorMask<Float> m = F.indexInRange(i, end);
            FloatVector x = FloatVector.fromArray(F, s, i, m).sub(shift).max(LO).min(HI);
            FloatVector k = x.fma(LOG2E, ROUND).sub(ROUND);
            FloatVector r = k.fma(nhi, x);
            r = k.fma(nlo, r);
            FloatVector p = r.fma(P0, P1);
            p = p.lanewise(VectorOperators.FMA, r, p2);
            p = p.lanewise(VectorOperators.FMA, r, p3);
            p = p.lanewise(VectorOperators.FMA, r, p4);
            p = p.lanewise(VectorOperators.FMA, r, p5);
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            IntVector bits = ((IntVector) k.convertShape(VectorOperators.F2I, I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
            y.mul(bits.reinterpretAsFloats()).intoArray(s, i, m);
        }
    }
}
