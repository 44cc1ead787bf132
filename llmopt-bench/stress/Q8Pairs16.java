import jdk.incubator.vector.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;

/**
 * Experiment for issue #3 (session 20; not used by the engine): the Q8_0 four-panel decode GEMV in its float form (as
 * PanelGemv.q8_0x4: per 16 weights a widening, a conversion and an fma) against a 16-bit form on 8-bit activations:
 * per pair of columns the products q_w·q_x of two columns are summed in 16-bit lanes (|·| ≤ 2·127·128 fits), and the
 * pair sums enter 32-bit sums through the int view of the shorts: v = (int) ^ 0x8000 makes the low half unsigned, then
 * A += v, T += v >> 16 (arithmetic), so per block T is the sum of the odd rows and A − (T << 16) − 16·0x8000 that of
 * the even rows, both exact. Checks both against exact sums, then times them in cache on one core.
 * Run: {@code java --add-modules jdk.incubator.vector llmopt-bench/stress/Q8Pairs16.java} (512-bit vectors).
 */
public class Q8Pairs16 {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128, B32 = ByteVector.SPECIES_256;
    static final int P = 32, L = 16;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    // layout per panel: per block of 32 columns, 32 columns × 32 bytes (no scales inline; scales in float arrays)
    static void flt(MemorySegment d, long[] po, int cols, float[] x, float[][] sc, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
        for (int b = 0; b < cols >>> 5; b++) {
            long f0 = po[0] + b * 1024L, f1 = po[1] + b * 1024L, f2 = po[2] + b * 1024L, f3 = po[3] + b * 1024L;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int j = 0; j < 32; j++) {
                FloatVector v = FloatVector.broadcast(F, x[32 * b + j]);
                long o = 32L * j;
                a0 = ((FloatVector) ByteVector.fromMemorySegment(B16, d, f0 + o, LE).convertShape(VectorOperators.B2F, F, 0)).fma(v, a0);
                a1 = ((FloatVector) ByteVector.fromMemorySegment(B16, d, f0 + o + 16, LE).convertShape(VectorOperators.B2F, F, 0)).fma(v, a1);
                a2 = ((FloatVector) ByteVector.fromMemorySegment(B16, d, f1 + o, LE).convertShape(VectorOperators.B2F, F, 0)).fma(v, a2);
                a3 = ((FloatVector) ByteVector.fromMemorySegment(B16, d, f1 + o + 16, LE).convertShape(VectorOperators.B2F, F, 0)).fma(v, a3);
                a4 = ((FloatVector) ByteVector.fromMemorySegment(B16, d, f2 + o, LE).convertShape(VectorOperators.B2F, F, 0)).fma(v, a4);
                a5 = ((FloatVector) ByteVector.fromMemorySegment(B16, d, f2 + o + 16, LE).convertShape(VectorOperators.B2F, F, 0)).fma(v, a5);
                a6 = ((FloatVector) ByteVector.fromMemorySegment(B16, d, f3 + o, LE).convertShape(VectorOperators.B2F, F, 0)).fma(v, a6);
                a7 = ((FloatVector) ByteVector.fromMemorySegment(B16, d, f3 + o + 16, LE).convertShape(VectorOperators.B2F, F, 0)).fma(v, a7);
            }
            int so = 32 * b;
            t0 = a0.fma(FloatVector.fromArray(F, sc[0], so), t0);
            t1 = a1.fma(FloatVector.fromArray(F, sc[0], so + 16), t1);
            t2 = a2.fma(FloatVector.fromArray(F, sc[1], so), t2);
            t3 = a3.fma(FloatVector.fromArray(F, sc[1], so + 16), t3);
            t4 = a4.fma(FloatVector.fromArray(F, sc[2], so), t4);
            t5 = a5.fma(FloatVector.fromArray(F, sc[2], so + 16), t5);
            t6 = a6.fma(FloatVector.fromArray(F, sc[3], so), t6);
            t7 = a7.fma(FloatVector.fromArray(F, sc[3], so + 16), t7);
        }
        t0.intoArray(res, 0); t1.intoArray(res, 16); t2.intoArray(res, 32); t3.intoArray(res, 48);
        t4.intoArray(res, 64); t5.intoArray(res, 80); t6.intoArray(res, 96); t7.intoArray(res, 112);
    }

    static final IntVector BIAS = IntVector.broadcast(I, 0x8000), K16 = IntVector.broadcast(I, 16);
    // 16-bit: pairs of columns summed in shorts, then the int view: A += v ^ 0x8000, T += (v ^ 0x8000) >> 16.
    // sc: per panel, per block, 16 even-row then 16 odd-row scales (d_w·d_x)
    static void i16(MemorySegment d, long[] po, int cols, short[] xq, float[][] sc, float[] res) {
        FloatVector e0 = FloatVector.zero(F), o0 = e0, e1 = e0, o1 = e0, e2 = e0, o2 = e0, e3 = e0, o3 = e0;
        for (int b = 0; b < cols >>> 5; b++) {
            long f0 = po[0] + b * 1024L, f1 = po[1] + b * 1024L, f2 = po[2] + b * 1024L, f3 = po[3] + b * 1024L;
            IntVector A0 = IntVector.zero(I), T0 = A0, A1 = A0, T1 = A0, A2 = A0, T2 = A0, A3 = A0, T3 = A0;
            for (int j = 0; j < 32; j += 2) {
                ShortVector v0 = ShortVector.broadcast(S, xq[32 * b + j]), v1 = ShortVector.broadcast(S, xq[32 * b + j + 1]);
                long o = 32L * j;
                IntVector q;
                q = ((ShortVector) ByteVector.fromMemorySegment(B32, d, f0 + o, LE).convertShape(VectorOperators.B2S, S, 0)).mul(v0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(B32, d, f0 + o + 32, LE).convertShape(VectorOperators.B2S, S, 0)).mul(v1))
                        .reinterpretAsInts().lanewise(VectorOperators.XOR, BIAS);
                A0 = A0.add(q); T0 = T0.add(q.lanewise(VectorOperators.ASHR, K16));
                q = ((ShortVector) ByteVector.fromMemorySegment(B32, d, f1 + o, LE).convertShape(VectorOperators.B2S, S, 0)).mul(v0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(B32, d, f1 + o + 32, LE).convertShape(VectorOperators.B2S, S, 0)).mul(v1))
                        .reinterpretAsInts().lanewise(VectorOperators.XOR, BIAS);
                A1 = A1.add(q); T1 = T1.add(q.lanewise(VectorOperators.ASHR, K16));
                q = ((ShortVector) ByteVector.fromMemorySegment(B32, d, f2 + o, LE).convertShape(VectorOperators.B2S, S, 0)).mul(v0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(B32, d, f2 + o + 32, LE).convertShape(VectorOperators.B2S, S, 0)).mul(v1))
                        .reinterpretAsInts().lanewise(VectorOperators.XOR, BIAS);
                A2 = A2.add(q); T2 = T2.add(q.lanewise(VectorOperators.ASHR, K16));
                q = ((ShortVector) ByteVector.fromMemorySegment(B32, d, f3 + o, LE).convertShape(VectorOperators.B2S, S, 0)).mul(v0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(B32, d, f3 + o + 32, LE).convertShape(VectorOperators.B2S, S, 0)).mul(v1))
                        .reinterpretAsInts().lanewise(VectorOperators.XOR, BIAS);
                A3 = A3.add(q); T3 = T3.add(q.lanewise(VectorOperators.ASHR, K16));
            }
            int so = 32 * b;
            // odd rows = T; even rows = A − (T << 16) − 16·0x8000
            e0 = ((FloatVector) A0.sub(T0.lanewise(VectorOperators.LSHL, K16)).sub(16 * 0x8000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, sc[0], so), e0);
            o0 = ((FloatVector) T0.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, sc[0], so + 16), o0);
            e1 = ((FloatVector) A1.sub(T1.lanewise(VectorOperators.LSHL, K16)).sub(16 * 0x8000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, sc[1], so), e1);
            o1 = ((FloatVector) T1.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, sc[1], so + 16), o1);
            e2 = ((FloatVector) A2.sub(T2.lanewise(VectorOperators.LSHL, K16)).sub(16 * 0x8000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, sc[2], so), e2);
            o2 = ((FloatVector) T2.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, sc[2], so + 16), o2);
            e3 = ((FloatVector) A3.sub(T3.lanewise(VectorOperators.LSHL, K16)).sub(16 * 0x8000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, sc[3], so), e3);
            o3 = ((FloatVector) T3.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, sc[3], so + 16), o3);
        }
        e0.intoArray(res, 0); o0.intoArray(res, 16); e1.intoArray(res, 32); o1.intoArray(res, 48);
        e2.intoArray(res, 64); o2.intoArray(res, 80); e3.intoArray(res, 96); o3.intoArray(res, 112);
    }

    public static void main(String[] a) {
        int rows = 2048, cols = 2048, units = rows / 128;
        try (Arena arena = Arena.ofShared()) {
            long panelBytes = (long) cols * P; // 32 bytes per column
            MemorySegment d = arena.allocate(panelBytes * (rows / P), 64);
            java.util.Random r = new java.util.Random(1);
            for (long i = 0; i < d.byteSize(); i++) d.set(ValueLayout.JAVA_BYTE, i, (byte) (r.nextInt(255) - 127));
            float[] x = new float[cols]; short[] xq = new short[cols];
            for (int i = 0; i < cols; i++) { xq[i] = (short) (r.nextInt(255) - 127); x[i] = xq[i]; }
            float[][] sc = new float[4][cols];
            for (float[] s : sc) java.util.Arrays.fill(s, 1f);
            float[] res = new float[128], res2 = new float[128];
            // correctness: exact integer sums both ways (scales 1, x = q_x)
            long[] po = {0, panelBytes, 2 * panelBytes, 3 * panelBytes};
            flt(d, po, cols, x, sc, res); i16(d, po, cols, xq, sc, res2);
            for (int p = 0; p < 4; p++) for (int i = 0; i < 32; i++) {
                float f = res[32 * p + i];
                float g = (i % 2 == 0) ? res2[32 * p + i / 2] : res2[32 * p + 16 + i / 2];
                double exact = 0; for (int c = 0; c < cols; c++) exact += (double) d.get(ValueLayout.JAVA_BYTE, p * panelBytes + 32L * c + i) * xq[c];
                if (g != (float) exact) throw new AssertionError("i16 row " + i + " " + g + " vs " + exact);
                if (Math.abs(f - exact) > 1e-3 * Math.abs(exact) + 1) throw new AssertionError("flt row " + i);
            }
            System.out.println("exact: ok");
            for (int round = 0; round < 4; round++) {
                for (String k : new String[] {"float", "int16"}) {
                    long t0 = System.nanoTime(); int calls = 0;
                    while (System.nanoTime() - t0 < 1_500_000_000L) {
                        for (int u = 0; u < units; u++) {
                            long b0 = 4L * u * panelBytes;
                            long[] pu = {b0, b0 + panelBytes, b0 + 2 * panelBytes, b0 + 3 * panelBytes};
                            if (k.equals("float")) flt(d, pu, cols, x, sc, res); else i16(d, pu, cols, xq, sc, res2);
                        }
                        calls++;
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("%s: %.1f G weights/s (%.1f GB/s at 34/32 bytes per weight)%n", k, (double) rows * cols * calls / s / 1e9, (double) rows * cols * calls / s / 1e9 * 34 / 32);
                }
            }
        }
    }
}
