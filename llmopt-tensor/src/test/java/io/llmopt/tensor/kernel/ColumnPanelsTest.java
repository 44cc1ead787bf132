package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.ColumnPanels;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The column-panel form and its kernels against their scalar twins: decodeRow must give the codec's values
 * bit for bit, and every output of the vector GEMV, shared-input GEMV and GEMM (batches 1 to 70, so every
 * token-group width and padding) must have the bits of {@link PanelGemv#reference} — the form's chunked
 * sequential fma sum over the decoded row. Shapes: rows not a multiple of the panel, one to several chunks
 * with a short last chunk, unaligned source rows, Q4_0, Q4_K and Q6_K with negative, zero and subnormal
 * scales. The build runs this class at 128, 256 and 512 bits.
 */
class ColumnPanelsTest {
    private static final int[] BATCHES = {1, 2, 4, 5, 8, 9, 12, 13, 17, 24, 70};

    @Test
    void kernelsGiveTheScalarTwinsBits() {
        VectorKernels vector = new VectorKernels();
        System.out.println("ColumnPanelsTest: vector width " + VectorKernels.vectorBits() + " bits, panel " + PanelGemv.P + " rows");
        Random r = new Random(31);
        WorkerPool pool = new WorkerPool(2);
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K}) {
                boolean quant = type.isQuantized();
                boolean k = type == GgmlType.Q2_K || type == GgmlType.Q3_K || type == GgmlType.Q4_K || type == GgmlType.Q5_K || type == GgmlType.Q6_K;
                int[][] shapes = k ? new int[][] {{1, 256}, {33, 512}, {70, 256}, {5, 768}}
                        : quant ? new int[][] {{1, 32}, {33, 160}, {70, 288}, {5, 512}}
                        : new int[][] {{1, 1}, {33, 7}, {70, 130}, {5, 300}};
                for (int[] shape : shapes) {
                    for (int misalign : new int[] {0, 6}) {
                        int rows = shape[0], cols = shape[1];
                        Tensor t = readOnly(type == GgmlType.Q4_0 && rows > 1 ? PackedQ4_0Test.awkward(arena, r, rows, cols, misalign)
                                : k ? awkwardK(arena, r, type, rows, cols, misalign)
                                : RandomWeights.matrix(arena, r, type, rows, cols, misalign));
                        Tensor p = vector.prepare(t);
                        String what = type + " " + rows + "x" + cols + " misalign " + misalign;
                        assertThat(p.packed()).as(what).isInstanceOf(ColumnPanels.class);
                        ColumnPanels f = (ColumnPanels) p.packed();
                        float[] want = new float[cols];
                        float[] got = new float[cols];
                        for (int row = 0; row < rows; row++) {
                            t.readRow(row, want, 0);
                            f.decodeRow(row, got, 0);
                            for (int c = 0; c < cols; c++) {
                                assertThat(got[c]).as(what + " decodeRow " + row + "," + c).isEqualTo(want[c]);
                            }
                        }
                        sameAsReference(vector, t, p, f, r, pool, what);
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /** As a model file's mapping: float matrices get the form only in read-only memory. */
    private static Tensor readOnly(Tensor t) {
        return new Tensor(t.name(), t.type(), t.shape(), t.data().asReadOnly());
    }

    /**
     * Random Q4_K/Q5_K/Q6_K super-blocks (every 6-bit scale and minimum, Q6_K's negative 8-bit scales) whose fp16 d
     * (and dmin) are, by super-block, normal, negative, subnormal of either sign, zero, or d and dmin of
     * opposite signs; some Q6_K super-blocks have a zero 8-bit scale or q = 32 throughout.
     */
    static Tensor awkwardK(Arena arena, Random r, GgmlType type, int rows, int cols, int misalign) {
        Tensor t = RandomWeights.matrix(arena, r, type, rows, cols, misalign);
        var seg = t.data();
        int bytes = type.blockBytes();
        int dAt = type == GgmlType.Q6_K ? 208 : type == GgmlType.Q3_K ? 108 : type == GgmlType.Q2_K ? 80 : 0;
        for (long b = 0, n = seg.byteSize() / bytes; b < n; b++) {
            long o = b * bytes;
            switch ((int) (b % 7)) {
                case 1 -> seg.set(Layouts.SHORT, o + dAt, Float.floatToFloat16(-Math.abs(0.03f * (float) r.nextGaussian())));
                case 2 -> {
                    seg.set(Layouts.SHORT, o + dAt, (short) (1 + r.nextInt(0x3FF) | (r.nextBoolean() ? 0x8000 : 0))); // subnormal
                    if ((type == GgmlType.Q4_K || type == GgmlType.Q5_K)) {
                        seg.set(Layouts.SHORT, o + 2, (short) (1 + r.nextInt(0x3FF) | (r.nextBoolean() ? 0x8000 : 0)));
                    }
                }
                case 3 -> seg.set(Layouts.SHORT, o + dAt, (short) (r.nextBoolean() ? 0 : 0x8000));
                case 4 -> {
                    if ((type == GgmlType.Q4_K || type == GgmlType.Q5_K)) {
                        seg.set(Layouts.SHORT, o, Float.floatToFloat16(0.02f));
                        seg.set(Layouts.SHORT, o + 2, Float.floatToFloat16(-0.01f));
                    } else if (type == GgmlType.Q6_K) {
                        seg.set(Layouts.BYTE, o + 192 + r.nextInt(16), (byte) 0);
                    }
                }
                case 5 -> {
                    if ((type == GgmlType.Q4_K || type == GgmlType.Q5_K)) {
                        seg.set(Layouts.SHORT, o + 2, (short) 0x8000);
                    } else if (type == GgmlType.Q6_K) { // q = 32 everywhere: low nibbles 0, high pairs 2
                        seg.set(Layouts.SHORT, o + dAt, Float.floatToFloat16(-0.02f));
                        for (int j = 0; j < 128; j++) {
                            seg.set(Layouts.BYTE, o + j, (byte) 0);
                        }
                        for (int j = 0; j < 64; j++) {
                            seg.set(Layouts.BYTE, o + 128 + j, (byte) 0xAA);
                        }
                    }
                }
                default -> { }
            }
        }
        return t;
    }

    private static void sameAsReference(VectorKernels vector, Tensor t, Tensor p, ColumnPanels f, Random r, WorkerPool pool, String what) {
        int rows = f.rows(), cols = f.cols();
        float[] w = new float[cols];
        for (int batch : BATCHES) {
            float[] x = RandomWeights.gaussian(r, batch * cols + 3);
            float[] out = new float[batch * rows + 2];
            vector.matmul(p, x, 3, batch, out, 2, pool);
            for (int tok = 0; tok < batch; tok++) {
                for (int row = 0; row < rows; row++) {
                    float ref = PanelGemv.reference(f, row, x, 3 + tok * cols, w);
                    BatchInvarianceTest.assertBits(new float[] {out[2 + tok * rows + row]}, new float[] {ref},
                            what + " batch " + batch + " token " + tok + " row " + row);
                }
            }
        }
        float[] x = RandomWeights.gaussian(r, cols);
        float[][] alone = {new float[rows]};
        vector.matmul(p, x, 0, 1, alone[0], 0, pool);
        float[][] shared = {new float[rows], new float[rows], new float[rows]};
        float[][] gguf = {new float[rows]};
        vector.matmul(t, x, 0, 1, gguf[0], 0, pool);
        vector.matmulShared(new Tensor[] {t, p, p}, x, 0, 1, shared, pool);
        BatchInvarianceTest.assertBits(shared[0], gguf[0], what + " shared (GGUF layout first)");
        BatchInvarianceTest.assertBits(shared[1], alone[0], what + " shared (panels second)");
        BatchInvarianceTest.assertBits(shared[2], alone[0], what + " shared (panels third)");
    }

    /**
     * The F16 GEMV's widening, over every finite half: after sign extension, (h &lt;&lt; 13) &amp; 0x8FFFFFFF has the
     * bits (h &amp; 0x7FFF) &lt;&lt; 13 | (h &amp; 0x8000) &lt;&lt; 16, which times 2¹¹² is {@link Float#float16ToFloat};
     * and fma(that raw float, x·2¹¹², a) == fma(w, x, a) bit for bit for x and a of every awkward kind (signed
     * zeros, subnormals, the largest scalable |x|, products that underflow or round).
     */
    @Test
    void f16WideningAndScaledFmaAreExactForEveryFiniteHalf() {
        Random r = new Random(17);
        float[] xs = {0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, 0x1p-130f, -0x1.234p-140f, Float.MIN_NORMAL,
            0x1.fffffep-127f, Math.nextDown(0x1p16f), -Math.nextDown(0x1p16f), 0x1p15f, 12345.678f, 1e-20f, -3e-38f,
            (float) r.nextGaussian(), (float) r.nextGaussian(), (float) r.nextGaussian() * 1e-30f};
        float[] accs = {0f, -0f, 1f, -1.5f, Float.MIN_VALUE, -0x1p-149f, 0x1p-126f, 1e-30f, -2.5e30f, (float) r.nextGaussian()};
        int finite = 0;
        for (int h = 0; h < 65536; h++) {
            if ((h & 0x7C00) == 0x7C00) {
                continue;
            }
            finite++;
            int v = (short) h; // the S2I conversion: sign extension
            int bits = (v << 13) & 0x8FFFFFFF;
            assertThat(bits).as("half %04x", h).isEqualTo((h & 0x7FFF) << 13 | (h & 0x8000) << 16);
            float raw = Float.intBitsToFloat(bits);
            float w = Float.float16ToFloat((short) h);
            assertThat(Float.floatToRawIntBits(raw * 0x1p112f)).as("half %04x", h).isEqualTo(Float.floatToRawIntBits(w));
            for (float x : xs) {
                float scaled = x * 0x1p112f;
                assertThat(scaled / 0x1p112f).as("x·2¹¹² exact for %s", x).isEqualTo(x);
                for (float a : accs) {
                    float want = Math.fma(w, x, a);
                    float got = Math.fma(raw, scaled, a);
                    if (Float.floatToRawIntBits(got) != Float.floatToRawIntBits(want)) {
                        assertThat(got).as("half %04x, x %s, acc %s", h, x, a).isEqualTo(want);
                    }
                }
            }
        }
        assertThat(finite).isEqualTo(63488);
    }

    @Test
    void f16ScalingAcceptsExactlyTheInputsItKeepsExact() {
        float[] xs = new float[4];
        for (float ok : new float[] {0f, -0f, Float.MIN_VALUE, -0x1p-140f, 1f, 0x1p15f, Math.nextDown(0x1p16f), -Math.nextDown(0x1p16f)}) {
            float[] x = {0.5f, ok, -2f};
            assertThat(PanelGemv.scaleForF16(x, 1, 2, xs)).as("x = %s", ok).isTrue();
            assertThat(Float.floatToRawIntBits(xs[0])).isEqualTo(Float.floatToRawIntBits(ok * 0x1p112f));
            assertThat(Float.isFinite(xs[0])).isTrue();
            assertThat(Float.floatToRawIntBits(xs[0] / 0x1p112f)).as("exact, sign of zero kept").isEqualTo(Float.floatToRawIntBits(ok));
            assertThat(xs[1]).isEqualTo(-0x1p113f);
        }
        for (float bad : new float[] {0x1p16f, -0x1p16f, 1e30f, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
            float[] x = {0.5f, 1f, bad};
            assertThat(PanelGemv.scaleForF16(x, 0, 3, xs)).as("x = %s", bad).isFalse();
            assertThat(PanelGemv.scaleForF16(x, 0, 2, xs)).as("outside the range checked").isTrue();
        }
    }

    /**
     * Both F16 GEMV kernels (on x·2¹¹² and the unscaled fallback) on a matrix holding every finite half once
     * (subnormals and ±0 included; rows not a multiple of the panel, a short last chunk), against the scalar
     * twin: for a one-hot x = e_c (each column; x_c = 1 reads the weights back exactly, x_c subnormal or −0
     * too), for x with signed zeros and subnormals, and, through matmul and matmulShared, for x holding values
     * ≥ 2¹⁵ and ≥ 2¹⁶ (where the fallback must run).
     */
    @Test
    void f16KernelsOnEveryFiniteHalf() {
        VectorKernels vector = new VectorKernels();
        Random r = new Random(23);
        int rows = 467, cols = 136; // 63512 weights: the 63488 finite halves, then signed zeros
        WorkerPool pool = new WorkerPool(2);
        try (Arena arena = Arena.ofShared()) {
            Tensor t = everyFiniteHalf(arena, r, rows, cols, 6);
            Tensor p = vector.prepare(readOnly(t));
            assertThat(p.packed()).isInstanceOf(ColumnPanels.class);
            ColumnPanels f = (ColumnPanels) p.packed();
            float[] w = new float[cols];
            float[] decoded = new float[rows * cols];
            for (int row = 0; row < rows; row++) {
                f.decodeRow(row, decoded, row * cols);
            }
            for (int c = 0; c < cols; c++) {
                for (float xc : new float[] {1f, 0x1.8p-140f, -0f, -3f}) {
                    float[] x = new float[cols + 3];
                    x[3 + c] = xc;
                    float[] want = new float[rows];
                    for (int row = 0; row < rows; row++) {
                        want[row] = PanelGemv.reference(f, row, x, 3, w);
                    }
                    for (boolean scaled : new boolean[] {true, false}) {
                        float[] out = unitGemv(f, x, 3, scaled);
                        BatchInvarianceTest.assertBits(out, want, "one-hot x[" + c + "] = " + xc + (scaled ? ", scaled" : ", unscaled"));
                        for (int row = 0; row < rows; row++) {
                            if (xc == 1f && decoded[row * cols + c] != 0f) {
                                assertThat(out[row]).as("weight [%d, %d] read back", row, c).isEqualTo(decoded[row * cols + c]);
                            }
                        }
                    }
                }
            }
            float[] awkward = {0f, -0f, Float.MIN_VALUE, -0x1p-140f, 0x1p-127f, Math.nextDown(0x1p16f), -0x1p15f};
            for (int trial = 0; trial < 4; trial++) {
                float[] x = RandomWeights.gaussian(r, cols + 3);
                for (int i = 0; i < cols / 4; i++) {
                    x[3 + r.nextInt(cols)] = awkward[r.nextInt(awkward.length)];
                }
                float[] big = x.clone();
                int at = r.nextInt(cols);
                big[3 + at] = trial % 2 == 0 ? 0x1p16f : -7e4f; // not scalable: the fallback
                big[3 + (at + 1 + r.nextInt(cols - 1)) % cols] = 0x1.8p15f;
                for (float[] v : new float[][] {x, big}) {
                    boolean scalable = PanelGemv.scaleForF16(v, 3, cols, new float[cols]);
                    assertThat(scalable).isEqualTo(v == x);
                    float[] want = new float[rows];
                    for (int row = 0; row < rows; row++) {
                        want[row] = PanelGemv.reference(f, row, v, 3, w);
                    }
                    String what = "trial " + trial + (scalable ? " scalable x" : " x ≥ 2¹⁶");
                    if (scalable) {
                        BatchInvarianceTest.assertBits(unitGemv(f, v, 3, true), want, what + ", scaled kernel");
                    }
                    BatchInvarianceTest.assertBits(unitGemv(f, v, 3, false), want, what + ", unscaled kernel");
                    float[] out = new float[rows + 1];
                    vector.matmul(p, v, 3, 1, out, 1, pool);
                    BatchInvarianceTest.assertBits(java.util.Arrays.copyOfRange(out, 1, rows + 1), want, what + ", matmul");
                    float[][] shared = {new float[rows], new float[rows]};
                    vector.matmulShared(new Tensor[] {p, p}, v, 3, 1, shared, pool);
                    BatchInvarianceTest.assertBits(shared[0], want, what + ", matmulShared first");
                    BatchInvarianceTest.assertBits(shared[1], want, what + ", matmulShared second");
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /** rows × cols F16 weights: every finite half once in random order, the rest ±0. */
    private static Tensor everyFiniteHalf(Arena arena, Random r, int rows, int cols, int misalign) {
        short[] h = new short[rows * cols];
        int n = 0;
        for (int b = 0; b < 65536; b++) {
            if ((b & 0x7C00) != 0x7C00) {
                h[n++] = (short) b;
            }
        }
        assertThat(n).isLessThanOrEqualTo(h.length);
        for (; n < h.length; n++) {
            h[n] = (short) (n % 2 == 0 ? 0 : 0x8000);
        }
        for (int i = h.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            short s = h[i];
            h[i] = h[j];
            h[j] = s;
        }
        var seg = arena.allocate(2L * h.length + misalign + 64, 64).asSlice(misalign, 2L * h.length);
        for (int i = 0; i < h.length; i++) {
            seg.set(Layouts.SHORT, 2L * i, h[i]);
        }
        return new Tensor("every half", GgmlType.F16, new long[] {rows, cols}, seg);
    }

    /** W·x over the GEMV work units of {@code f}, with the scaled F16 kernel or the unscaled fallback. */
    private static float[] unitGemv(ColumnPanels f, float[] x, int xo, boolean scaled) {
        float[] out = new float[f.rows()];
        float[] res = new float[PanelGemv.UNIT];
        float[] xh = null;
        if (scaled) {
            xh = new float[f.cols()];
            assertThat(PanelGemv.scaleForF16(x, xo, f.cols(), xh)).isTrue();
        }
        for (int u = 0; u < PanelGemv.units(f); u++) {
            PanelGemv.unit(f, u, x, xo, null, null, null, xh, null, out, u * PanelGemv.unitRows(f), res);
        }
        return out;
    }

    @Test
    void preparePicksPanelsOnlyWhereTheyFitAndRejectsMismatches() {
        VectorKernels vector = new VectorKernels();
        Random r = new Random(5);
        try (Arena arena = Arena.ofShared()) {
            Tensor q = RandomWeights.matrix(arena, r, GgmlType.Q8_0, 40, 64, 0);
            Tensor pq = vector.prepare(q);
            assertThat(vector.prepare(q)).as("memoized").isSameAs(pq);
            // 40 rows pad to whole panels of 2L rows; a 32-column block is 2L·(2 + 32) bytes (fp16 scales, as GGUF)
            int p = PanelGemv.P;
            assertThat(pq.packed().byteSize()).isEqualTo((40L + p - 1) / p * 2 * 34L * p);
            Tensor q4 = RandomWeights.matrix(arena, r, GgmlType.Q4_0, 40, 64, 0);
            assertThat(ColumnPanels.pack(q4, Simd.L).byteSize()).isEqualTo((40L + p - 1) / p * 2 * 18L * p);
            Tensor q5 = RandomWeights.matrix(arena, r, GgmlType.Q5_0, 40, 64, 0);
            assertThat(ColumnPanels.pack(q5, Simd.L).byteSize()).as("Q5_0: 22 bytes per row and block, as GGUF").isEqualTo((40L + p - 1) / p * 2 * 22L * p);
            Tensor q51 = RandomWeights.matrix(arena, r, GgmlType.Q5_1, 40, 64, 0);
            assertThat(ColumnPanels.pack(q51, Simd.L).byteSize()).as("Q5_1: 24 bytes per row and block, as GGUF").isEqualTo((40L + p - 1) / p * 2 * 24L * p);
            // F16 weights must be finite: the largest finite halves pack, an infinity or NaN anywhere is named by row and column
            for (int[] bad : new int[][] {{33, 65, 0x7C00}, {0, 0, 0xFC00}, {39, 69, 0x7E01}}) {
                Tensor f16 = RandomWeights.matrix(arena, r, GgmlType.F16, 40, 70, 0);
                f16.data().set(Layouts.SHORT, 2L * (5 * 70 + 3), (short) 0x7BFF); // the largest finite halves
                f16.data().set(Layouts.SHORT, 2L * (6 * 70 + 4), (short) 0xFBFF);
                f16.data().set(Layouts.SHORT, 2L * (bad[0] * 70 + bad[1]), (short) bad[2]);
                assertThatThrownBy(() -> ColumnPanels.pack(f16, Simd.L)).isInstanceOf(LlmoptException.class)
                        .hasMessageContaining("F16 weight [" + bad[0] + ", " + bad[1] + "]").hasMessageContaining("infinite or NaN");
                f16.data().set(Layouts.SHORT, 2L * (bad[0] * 70 + bad[1]), (short) 0x3C00);
                ColumnPanels ok = ColumnPanels.pack(f16, Simd.L);
                float[] row = new float[70];
                ok.decodeRow(5, row, 0);
                assertThat(row[3]).isEqualTo(65504f);
                ok.decodeRow(6, row, 0);
                assertThat(row[4]).isEqualTo(-65504f);
                ok.decodeRow(bad[0], row, 0);
                assertThat(row[bad[1]]).isEqualTo(1f);
            }
            for (GgmlType t : new GgmlType[] {GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q8_0}) {
                Tensor nan = RandomWeights.matrix(arena, r, t, 4, 64, 0);
                nan.data().set(Layouts.SHORT, 3 * nan.rowBytes() + t.blockBytes(), (short) 0x7E00); // row 3, block 1: NaN
                assertThatThrownBy(() -> ColumnPanels.pack(nan, Simd.L)).as(t.toString()).isInstanceOf(LlmoptException.class)
                        .hasMessageContaining("row 3").hasMessageContaining("infinite or NaN");
            }
            Tensor k = RandomWeights.matrix(arena, r, GgmlType.Q4_K, 4, 256, 0);
            assertThat(vector.prepare(k).packed()).isInstanceOf(ColumnPanels.class);
            assertThat(vector.prepare(k).packed().byteSize()).isEqualTo(152L * p);
            Tensor k6 = RandomWeights.matrix(arena, r, GgmlType.Q6_K, 40, 512, 0);
            assertThat(vector.prepare(k6).packed().byteSize()).isEqualTo((40L + p - 1) / p * 2 * 212L * p);
            Tensor infinite = RandomWeights.matrix(arena, r, GgmlType.Q6_K, 4, 256, 0);
            infinite.data().set(Layouts.SHORT, 210 + 208, (short) 0x7C00);
            assertThatThrownBy(() -> ColumnPanels.pack(infinite, Simd.L)).isInstanceOf(LlmoptException.class)
                    .hasMessageContaining("row 1").hasMessageContaining("infinite or NaN");
            assertThat(vector.prepare(infinite).packed()).as("falls back to the GGUF layout").isNull();
            // the new K-quant panels check their fp16 d (and Q2_K's, Q5_K's dmin) too; the matrix keeps the GGUF layout
            for (Object[] bad : new Object[][] {{GgmlType.Q2_K, 82}, {GgmlType.Q3_K, 108}, {GgmlType.Q5_K, 0}, {GgmlType.Q5_K, 2}}) {
                GgmlType type = (GgmlType) bad[0];
                Tensor nan = RandomWeights.matrix(arena, r, type, 4, 256, 0);
                nan.data().set(Layouts.SHORT, type.blockBytes() * 2L + (int) bad[1], (short) 0x7E00); // row 2: NaN
                assertThatThrownBy(() -> ColumnPanels.pack(nan, Simd.L)).as(type + " at " + bad[1]).isInstanceOf(LlmoptException.class)
                        .hasMessageContaining("row 2").hasMessageContaining("infinite or NaN");
                assertThat(vector.prepare(nan).packed()).as(type + " falls back to the GGUF layout").isNull();
            }
            Tensor nan5 = RandomWeights.matrix(arena, r, GgmlType.Q5_0, 4, 64, 0);
            nan5.data().set(Layouts.SHORT, 2 * nan5.rowBytes(), (short) 0x7C00); // row 2, block 0: infinite
            assertThat(vector.prepare(nan5).packed()).as("Q5_0 falls back to the GGUF layout").isNull();
            Tensor nanMin = RandomWeights.matrix(arena, r, GgmlType.Q5_1, 4, 64, 0);
            nanMin.data().set(Layouts.SHORT, 2 * nanMin.rowBytes() + 24 + 2, (short) 0x7E00); // row 2, block 1: NaN minimum
            assertThatThrownBy(() -> ColumnPanels.pack(nanMin, Simd.L)).isInstanceOf(LlmoptException.class)
                    .hasMessageContaining("row 2").hasMessageContaining("infinite or NaN");
            Tensor q41 = RandomWeights.matrix(arena, r, GgmlType.Q4_1, 40, 64, 0);
            assertThat(ColumnPanels.pack(q41, Simd.L).byteSize()).as("Q4_1: 20 bytes per row and block, as GGUF").isEqualTo((40L + p - 1) / p * 2 * 20L * p);
            Tensor nanMin4 = RandomWeights.matrix(arena, r, GgmlType.Q4_1, 4, 64, 0);
            nanMin4.data().set(Layouts.SHORT, 3 * nanMin4.rowBytes() + 2, (short) 0x7C00); // row 3, block 0: infinite minimum
            assertThatThrownBy(() -> ColumnPanels.pack(nanMin4, Simd.L)).isInstanceOf(LlmoptException.class)
                    .hasMessageContaining("row 3").hasMessageContaining("infinite or NaN");
            Tensor bf = new Tensor("w", GgmlType.IQ4_NL, new long[] {4, 256}, arena.allocate(GgmlType.IQ4_NL.byteSize(4L * 256)));
            assertThat(ColumnPanels.supports(bf, Simd.L)).isFalse();
            assertThatThrownBy(() -> ColumnPanels.pack(bf, Simd.L)).isInstanceOf(LlmoptException.class)
                    .hasMessageContaining("column-panel form needs");
            Tensor writable = RandomWeights.matrix(arena, r, GgmlType.F16, 8, 64, 0);
            assertThat(vector.prepare(writable)).as("writable float matrix (may be trained in place)").isSameAs(writable);
            assertThat(vector.prepare(readOnly(writable)).packed()).isInstanceOf(ColumnPanels.class);
            Tensor f = RandomWeights.matrix(arena, r, GgmlType.F32, 8, 64, 0);
            Tensor g = RandomWeights.matrix(arena, r, GgmlType.F32, 4, 64, 0);
            ColumnPanels pg = ColumnPanels.pack(g, Simd.L);
            assertThatThrownBy(() -> f.withPacked(pg)).isInstanceOf(LlmoptException.class).hasMessageContaining("does not match");
        }
    }
}
