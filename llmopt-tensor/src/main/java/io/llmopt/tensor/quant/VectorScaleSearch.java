package io.llmopt.tensor.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The candidate-scale loops of {@link AffineSearch} ({@code make_qkx2/3_quants}) and {@link ScaleSearch}
 * ({@code make_qx_quants}) with one vector lane per candidate scale. Each lane performs exactly the scalar
 * reference's float operations in the same order (the sums still run over i = 0..n−1 one value at a time, no
 * fused multiply-add), so every candidate's sums are bit-identical to the reference; only independent
 * candidates run side by side. The winner is then chosen by scanning the lanes in the reference's candidate
 * order with its comparisons, so the result is bit-identical too ({@code QuantizeSearchTest} checks).
 *
 * <p>Why it pays: the reference is bound by the latency of three dependent float-add chains per candidate; lanes
 * give L independent chains per instruction.
 */
final class VectorScaleSearch {
    static final VectorSpecies<Float> F = species();
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final int LANES = F.length();
    /** Off with -Dllmopt.kernels=scalar or when vectors are narrower than 4 floats. */
    static final boolean ENABLED = LANES >= 4 && !System.getProperty("llmopt.kernels", "").equalsIgnoreCase("scalar");
    private static final int GROUPS = 2; // make_qx_quants: 18 candidates

    /** Per-thread scratch: candidate inverse scales and the per-candidate results, padded to whole vectors. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][Math.max(GROUPS * LANES, 32)]);

    private VectorScaleSearch() {
    }

    private static VectorSpecies<Float> species() {
        String bits = System.getProperty("llmopt.vector.bits", "");
        return bits.isEmpty() ? FloatVector.SPECIES_PREFERRED
                : VectorSpecies.of(float.class, VectorShape.forBitSize(Integer.parseInt(bits)));
    }

    /** Lane-wise ggml {@code nearest_int}: bits of (v + 1.5·2²³), low 23 bits, minus 2²². */
    private static IntVector nearestInt(FloatVector v) {
        IntVector bits = v.add(12582912f).reinterpretAsInts();
        return bits.and(0x007fffff).sub(0x00400000);
    }

    /**
     * One group of the candidate loop of {@link AffineSearch#refine}: candidates is = from .. min(from + L, nstep + 1)
     * − 1 with inverse scale (rmin + rdelta·is + nmax)/(max − min) for the CURRENT min. The reference updates min
     * whenever a candidate wins, which changes every later candidate, so the caller restarts after each winner.
     * Returns the first candidate of the group that beats {@code bestMad} (−1 when none); then
     * {@code out} = {scale, min, mad, inverse scale} of it.
     */
    static int affineGroup(int from, int n, int nmax, float[] x, int xo, float[] w, float rmin, float rdelta,
            int nstep, boolean useMad, float min, float max, float sumW, float sumX, float bestMad, float[] out) {
        float[][] s = SCRATCH.get();
        float[] iscales = s[0];
        float[] scales = s[1];
        float[] mins = s[2];
        float[] mads = s[3];
        for (int lane = 0; lane < LANES; lane++) {
            int is = Math.min(from + lane, nstep);
            iscales[lane] = (rmin + rdelta * is + nmax) / (max - min);
        }
        IntVector zero = IntVector.zero(I);
        IntVector top = IntVector.broadcast(I, nmax);
        FloatVector vsumW = FloatVector.broadcast(F, sumW);
        FloatVector vsumX = FloatVector.broadcast(F, sumX);
        FloatVector iscale = FloatVector.fromArray(F, iscales, 0);
        FloatVector sumL = FloatVector.zero(F);
        FloatVector sumL2 = FloatVector.zero(F);
        FloatVector sumXL = FloatVector.zero(F);
        for (int i = 0; i < n; i++) {
            float xi = x[xo + i];
            FloatVector l = level(iscale.mul(xi - min), zero, top);
            FloatVector wl = l.mul(w[i]);
            sumL = wl.lanewise(VectorOperators.ADD, sumL);
            sumL2 = wl.mul(l).lanewise(VectorOperators.ADD, sumL2);
            sumXL = wl.mul(xi).lanewise(VectorOperators.ADD, sumXL);
        }
        FloatVector det = vsumW.mul(sumL2).sub(sumL.mul(sumL));
        FloatVector scale = vsumW.mul(sumXL).sub(vsumX.mul(sumL)).div(det);
        FloatVector mn = sumL2.mul(vsumX).sub(sumL.mul(sumXL)).div(det);
        var positive = mn.compare(VectorOperators.GT, 0f);
        mn = mn.blend(0f, positive);
        scale = scale.blend(sumXL.div(sumL2), positive);
        FloatVector mad = FloatVector.zero(F);
        for (int i = 0; i < n; i++) {
            float xi = x[xo + i];
            FloatVector l = level(iscale.mul(xi - min), zero, top);
            FloatVector diff = scale.mul(l).add(mn).sub(xi);
            diff = useMad ? diff.abs() : diff.mul(diff);
            mad = diff.mul(w[i]).lanewise(VectorOperators.ADD, mad);
        }
        // the reference skips candidates whose det ≤ 0: NaN never wins a comparison
        mad = mad.blend(Float.NaN, det.compare(VectorOperators.GT, 0f).not());
        scale.intoArray(scales, 0);
        mn.intoArray(mins, 0);
        mad.intoArray(mads, 0);
        int count = Math.min(LANES, nstep + 1 - from);
        for (int lane = 0; lane < count; lane++) {
            if (mads[lane] < bestMad) {
                out[0] = scales[lane];
                out[1] = mins[lane];
                out[2] = mads[lane];
                out[3] = iscales[lane];
                return from + lane;
            }
        }
        return -1;
    }

    /** clamp(nearest_int(v), 0, top) as floats (exact: small integers). */
    private static FloatVector level(FloatVector v, IntVector zero, IntVector top) {
        return (FloatVector) nearestInt(v).max(zero).min(top).convert(VectorOperators.I2F, 0);
    }

    /**
     * The candidate loop of {@link ScaleSearch#makeQx}: is = −9..9 without 0, inverse scale −(nmax + 0.1·is)/max,
     * levels clamped to −nmax..nmax−1, weights {@code weights[i]} (already resolved by rmse type). Returns the
     * inverse scale of the last accepted candidate or NaN when none beats {@code best}; {@code result[0]} = scale.
     */
    static float symmetricCandidates(int n, int nmax, float[] x, int xo, float[] weights, float max, float best,
            float[] result) {
        float[][] s = SCRATCH.get();
        float[] iscales = s[0];
        float[] sumlxs = s[1];
        float[] suml2s = s[2];
        int count = 18;
        int padded = (count + LANES - 1) / LANES * LANES;
        for (int c = 0; c < padded; c++) {
            int k = Math.min(c, count - 1);
            int is = k < 9 ? k - 9 : k - 8;
            iscales[c] = -(nmax + 0.1f * is) / max;
        }
        IntVector low = IntVector.broadcast(I, -nmax);
        IntVector high = IntVector.broadcast(I, nmax - 1);
        for (int g = 0; g < padded; g += LANES) {
            FloatVector iscale = FloatVector.fromArray(F, iscales, g);
            FloatVector sumlx = FloatVector.zero(F);
            FloatVector suml2 = FloatVector.zero(F);
            for (int i = 0; i < n; i++) {
                float xi = x[xo + i];
                float wi = weights[i];
                FloatVector l = (FloatVector) nearestInt(iscale.mul(xi)).max(low).min(high)
                        .convert(VectorOperators.I2F, 0);
                sumlx = l.mul(wi * xi).lanewise(VectorOperators.ADD, sumlx);
                FloatVector wl = l.mul(wi);
                suml2 = wl.mul(l).lanewise(VectorOperators.ADD, suml2);
            }
            sumlx.intoArray(sumlxs, g);
            suml2.intoArray(suml2s, g);
        }
        float accepted = Float.NaN;
        for (int c = 0; c < count; c++) {
            float sumlx = sumlxs[c];
            float suml2 = suml2s[c];
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                result[0] = sumlx / suml2;
                best = result[0] * sumlx;
                accepted = iscales[c];
            }
        }
        return accepted;
    }
}
