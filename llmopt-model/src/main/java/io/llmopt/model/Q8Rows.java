package io.llmopt.model;

import java.util.Locale;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row operations on Q8_0-quantized values (the q8_0 KV cache): the quantizing store and the conversions to float32
 * that attention reads (a row, {@link #toFloats}; a key tile, {@link #tileToFloats}). A row of values is cut into blocks of {@value #BLOCK} consecutive values; block b keeps a binary16
 * scale {@code d[b]} and {@value #BLOCK} signed bytes {@code q}; value i is {@code q[i]·d[i / 32]} (34 bytes per
 * 32 values, as ggml's {@code block_q8_0}). Values and scales live in parallel arrays addressed by the same value
 * offset {@code o}: quants at {@code q[o]}, scale at {@code d[o >> 5]}.
 *
 * <p>Quantization is ggml's portable reference ({@code quantize_row_q8_0_ref}): d = max|x| / 127 in float32,
 * q = round(x · (1/d)) with halves away from zero (C {@code roundf}), d stored rounded to nearest-even binary16;
 * the quants are computed with the float32 d. (ggml's AVX build rounds x·(127/max|x|) half-to-even instead: it can
 * differ by one step on exact ties.) The store is scalar: it runs once per written row, O(kv dim) per token, where
 * the reads run over the whole context.
 *
 * <p>The conversions have a vector body (16 bytes widened to floats at a time, times the scale) and a scalar twin
 * ({@code *Scalar}) they are tested against; {@link #toFloats}' vector body needs {@code o} and {@code n} to be
 * multiples of 32, {@link #tileToFloats}' a width that is a multiple of 16; other slices take the scalar path. {@code -Dllmopt.kernels=scalar} forces the scalar path, {@code -Dllmopt.vector.bits=128|256|512}
 * the width, as for the tensor kernels.
 */
public final class Q8Rows {
    /** Values per block. */
    public static final int BLOCK = 32;
    /** Bytes per block: a binary16 scale and 32 signed bytes. */
    public static final int BLOCK_BYTES = Short.BYTES + BLOCK;

    private static final VectorSpecies<Float> F = species();
    private static final int L = F.length();
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final int PARTS = Math.max(1, 16 / L);
    private static final boolean VECTOR = !"scalar".equalsIgnoreCase(System.getProperty("llmopt.kernels", ""))
            && L >= 4 && L <= 16;


    private static volatile boolean warm;
    private static volatile float sink;

    private Q8Rows() {
    }

    private static VectorSpecies<Float> species() {
        String bits = System.getProperty("llmopt.vector.bits", "");
        return bits.isEmpty() ? FloatVector.SPECIES_PREFERRED
                : VectorSpecies.of(float.class, VectorShape.forBitSize(Integer.parseInt(bits)));
    }

    /** "vector256" or "scalar": which path dot and axpy take in this JVM. */
    public static String path() {
        return VECTOR ? String.format(Locale.ROOT, "vector%d", F.vectorBitSize()) : "scalar";
    }

    /** Runs {@link #toFloats} and {@link #tileToFloats} until the JIT has compiled them (once per JVM), as {@link HalfRows#warmUp}. */
    public static void warmUp() {
        if (warm) {
            return;
        }
        float[] x = new float[64];
        byte[] q = new byte[64];
        short[] d = new short[2];
        float[] y = new float[64];
        for (int i = 0; i < 64; i++) {
            x[i] = 1f - i * 0.02f;
        }
        quantize(x, 0, q, d, 0, 64);
        float[] work = new float[4 * 16];
        float acc = 0f;
        for (int i = 0; i < 40_000; i++) { // a 64-value row, and a tile of 16 positions × head 4 over those quants
            toFloats(q, d, 0, y, 0, 64);
            tileToFloats(q, 0, d, 0, 0, 0, 16, 4, y, 0, work, 0);
            acc += y[i & 63];
        }
        sink = acc;
        warm = true;
    }

    /** Quantizes x[xo .. xo+n) into q[o .. o+n) and d[o/32 .. (o+n)/32); o and n are multiples of 32. */
    public static void quantize(float[] x, int xo, byte[] q, short[] d, int o, int n) {
        for (int b = 0; b < n; b += BLOCK) {
            float amax = 0f;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[xo + b + j]));
            }
            float scale = amax / 127f;
            float inverse = scale != 0f ? 1f / scale : 0f;
            d[(o + b) >> 5] = Float.floatToFloat16(scale);
            for (int j = 0; j < BLOCK; j++) {
                q[o + b + j] = (byte) roundHalfAwayFromZero(x[xo + b + j] * inverse);
            }
        }
    }

    /** C's roundf: nearest integer, halves away from zero (exact: |t| − trunc|t| has no rounding error). */
    static int roundHalfAwayFromZero(float t) {
        float a = Math.abs(t);
        int i = (int) a;
        if (a - i >= 0.5f) {
            i++;
        }
        return t < 0 ? -i : i;
    }

    /** y[yo+i] = q[o+i]·d[(o+i) >> 5] (one float32 product each), i < n. */
    public static void toFloats(byte[] q, short[] d, int o, float[] y, int yo, int n) {
        if (!VECTOR || ((o | n) & (BLOCK - 1)) != 0) {
            toFloatsScalar(q, d, o, y, yo, n);
            return;
        }
        for (int b = 0; b < n; b += BLOCK) {
            FloatVector c = FloatVector.broadcast(F, Float.float16ToFloat(d[(o + b) >> 5]));
            for (int j = 0; j < BLOCK; j += 16) {
                ByteVector bytes = ByteVector.fromArray(B16, q, o + b + j);
                for (int p = 0; p < PARTS; p++) {
                    ((FloatVector) bytes.convertShape(VectorOperators.B2F, F, p)).mul(c).intoArray(y, yo + b + j + p * L);
                }
            }
        }
    }

    /**
     * A key tile of the paged q8_0 cache as float32: y[yo + c·width + j] = q[qo + c·width + j]·d, for dimension c &lt;
     * headDim and lane j &lt; width, where lane j is a position whose kv row (of {@code perRow} blocks) was quantized
     * as a row ({@link #quantize}): d is the binary16 scale of that row's block (e0 + c) / 32, at
     * scales[so + j·perRow + (e0 + c) / 32], and e0 is the head's first value in the row. The same products as
     * {@link #toFloats} on the row. {@code work} holds at least (headDim / 32 + 2)·width floats from wo (the tile's scales,
     * widened once per lane and block). The vector body needs width to be a multiple of 16; {@link #tileToFloatsScalar}
     * is its twin.
     */
    public static void tileToFloats(byte[] q, int qo, short[] scales, int so, int perRow, int e0, int width, int headDim,
            float[] y, int yo, float[] work, int wo) {
        if (!VECTOR || width % 16 != 0) {
            tileToFloatsScalar(q, qo, scales, so, perRow, e0, width, headDim, y, yo);
            return;
        }
        int b0 = e0 >> 5, b1 = (e0 + headDim - 1) >> 5;
        for (int b = b0; b <= b1; b++) {
            for (int j = 0; j < width; j++) {
                work[wo + (b - b0) * width + j] = Float.float16ToFloat(scales[so + j * perRow + b]);
            }
        }
        for (int c = 0; c < headDim; c++) {
            int w = wo + (((e0 + c) >> 5) - b0) * width, row = c * width;
            for (int j = 0; j < width; j += 16) {
                ByteVector bytes = ByteVector.fromArray(B16, q, qo + row + j);
                for (int p = 0; p < PARTS; p++) {
                    int at = j + p * L;
                    ((FloatVector) bytes.convertShape(VectorOperators.B2F, F, p)).mul(FloatVector.fromArray(F, work, w + at))
                            .intoArray(y, yo + row + at);
                }
            }
        }
    }

    static void tileToFloatsScalar(byte[] q, int qo, short[] scales, int so, int perRow, int e0, int width, int headDim,
            float[] y, int yo) {
        for (int c = 0; c < headDim; c++) {
            for (int j = 0; j < width; j++) {
                y[yo + c * width + j] = q[qo + c * width + j] * Float.float16ToFloat(scales[so + j * perRow + ((e0 + c) >> 5)]);
            }
        }
    }

    static void toFloatsScalar(byte[] q, short[] d, int o, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = q[o + i] * Float.float16ToFloat(d[(o + i) >> 5]);
        }
    }
}
