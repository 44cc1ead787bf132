package io.llmopt.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row operations on IEEE binary16 values kept in {@code short[]} (the f16 KV cache), against float32 rows:
 * the widening ({@link #toFloats}, what attention reads) and the rounding store. The Vector API has no half-precision conversion, so {@link #widen} converts
 * on the bits (exactly: every binary16 value is a binary32 value). Each vector method has a scalar twin
 * ({@code *Scalar}, {@link Float#float16ToFloat}) that it is tested against.
 */
public final class HalfRows {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, F.vectorBitSize() / 2)));
    private static final boolean VECTOR = S.length() == F.length();
    private static final int L = F.length();

    private static volatile boolean warm;
    private static volatile float sink;

    private HalfRows() {
    }

    /**
     * Runs the widening ({@link #toFloats}) until the JIT has compiled it (once per JVM). Before that the Vector API runs
     * interpreted at ~20 µs a call — measured 0.4 s for the first one-sequence decode step of a 5-layer model —
     * so an f16 cache calls this at creation, moving that cost from the first request to startup.
     */
    public static void warmUp() {
        if (warm) {
            return;
        }
        float[] q = new float[64];
        short[] h = new short[64];
        float[] y = new float[64];
        for (int i = 0; i < 64; i++) {
            q[i] = i * 0.01f;
            h[i] = Float.floatToFloat16(1f - i * 0.02f);
        }
        float acc = 0f;
        for (int i = 0; i < 40_000; i++) {
            toFloats(h, 0, y, 0, 64);
            acc += y[i & 63] * q[i & 63];
        }
        sink = acc;
        warm = true;
    }

    /** y[yo+i] = h[ho+i] widened to binary32 (exact), i < n. */
    public static void toFloats(short[] h, int ho, float[] y, int yo, int n) {
        int i = 0;
        if (VECTOR) {
            for (int end = n - L; i <= end; i += L) {
                widen(h, ho + i).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            y[yo + i] = Float.float16ToFloat(h[ho + i]);
        }
    }

    static void toFloatsScalar(short[] h, int ho, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = Float.float16ToFloat(h[ho + i]);
        }
    }

    /** h[ho+i] = x[xo+i] rounded to binary16 (round to nearest even; beyond ±65504 becomes ±∞), i < n. */
    public static void store(float[] x, int xo, short[] h, int ho, int n) {
        for (int i = 0; i < n; i++) {
            h[ho + i] = Float.floatToFloat16(x[xo + i]);
        }
    }

    /**
     * L binary16 values widened to binary32 on the bits: a normal number moves its exponent bias from 15 to
     * 127 (add 112 << 23 to the shifted bits); zero and subnormals are mantissa·2⁻²⁴ (exact); infinity and NaN
     * keep an all-ones exponent (a signalling NaN stays signalling, where {@link Float#float16ToFloat} quiets it);
     * the sign bit is moved last.
     */
    static FloatVector widen(short[] h, int offset) {
        IntVector bits = (IntVector) ShortVector.fromArray(S, h, offset).convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = bits.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector normal = shifted.add(112 << 23);
        IntVector infNan = shifted.or(0x7F800000);
        IntVector small = ((FloatVector) magnitude.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
        IntVector r = normal.blend(infNan, magnitude.compare(VectorOperators.GE, 0x7C00))
                .blend(small, magnitude.compare(VectorOperators.LT, 0x400));
        return r.or(bits.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }
}
