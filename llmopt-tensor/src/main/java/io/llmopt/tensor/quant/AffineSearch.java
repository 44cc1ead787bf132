package io.llmopt.tensor.quant;

/**
 * The scale-and-minimum ("affine", x ≈ scale·l − min with l in 0..nmax) searches of ggml's k-quants,
 * transcribed from ggml-quants.c b4747 in the same operation order: {@code make_qkx2_quants} (reference
 * quantizers) and {@code make_qkx3_quants} (importance-weighted ones). See {@link ScaleSearch} for why the
 * results are bit-identical.
 *
 * <p>Both try nstep+1 candidate inverse scales (rmin + rdelta·is + nmax)/(max − min), refit scale and min by
 * weighted least squares for each candidate's levels, and keep the fit with the lowest weighted error (squared,
 * or absolute with {@code useMad}). The minimum is never positive (min ≤ 0 is subtracted, so the stored
 * "min" = −min ≥ 0). Levels are {@code uint8_t} in ggml: read {@code & 0xFF}.
 */
final class AffineSearch {
    private AffineSearch() {
    }

    /**
     * {@code make_qkx2_quants}; writes the levels to L[lo..lo+n), the stored minimum (−min) to
     * {@code mins[mi]}, and returns the scale. {@code laux} is scratch of at least n.
     */
    static float makeQkx2(int n, int nmax, float[] x, int xo, float[] weights, byte[] L, int lo, float[] mins, int mi,
            byte[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        return makeQkx2(n, nmax, x, xo, weights, L, lo, mins, mi, laux, rmin, rdelta, nstep, useMad, true);
    }

    /** As above; {@code vector} false forces the scalar candidate loop (the reference, for tests). */
    static float makeQkx2(int n, int nmax, float[] x, int xo, float[] weights, byte[] L, int lo, float[] mins, int mi,
            byte[] laux, float rmin, float rdelta, int nstep, boolean useMad, boolean vector) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float xi = x[xo + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                L[lo + i] = 0;
            }
            mins[mi] = -min;
            return 0f;
        }
        return refine(n, nmax, x, xo, weights, L, lo, mins, mi, laux, rmin, rdelta, nstep, useMad, min, max, sumW, sumX, vector);
    }

    /**
     * {@code make_qkx3_quants}: as {@link #makeQkx2} but with weights x² when {@code weights} is null and an
     * all-equal group detected by max ≤ min.
     */
    static float makeQkx3(int n, int nmax, float[] x, int xo, float[] weights, byte[] L, int lo, float[] mins, int mi,
            byte[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        return makeQkx3(n, nmax, x, xo, weights, L, lo, mins, mi, laux, rmin, rdelta, nstep, useMad, true);
    }

    /** As above; {@code vector} false forces the scalar candidate loop (the reference, for tests). */
    static float makeQkx3(int n, int nmax, float[] x, int xo, float[] weights, byte[] L, int lo, float[] mins, int mi,
            byte[] laux, float rmin, float rdelta, int nstep, boolean useMad, boolean vector) {
        float[] w = weights != null ? weights : squares(x, xo, n);
        float min = x[xo];
        float max = x[xo];
        float sumW = w[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float xi = x[xo + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            sumW += w[i];
            sumX += w[i] * xi;
        }
        if (min > 0) {
            min = 0;
        }
        if (max <= min) {
            for (int i = 0; i < n; i++) {
                L[lo + i] = 0;
            }
            mins[mi] = -min;
            return 0f;
        }
        return refine(n, nmax, x, xo, w, L, lo, mins, mi, laux, rmin, rdelta, nstep, useMad, min, max, sumW, sumX, vector);
    }

    private static float[] squares(float[] x, int xo, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = x[xo + i] * x[xo + i];
        }
        return w;
    }

    /** The part both searches share, from the first guess scale = (max − min)/nmax on. */
    private static float refine(int n, int nmax, float[] x, int xo, float[] w, byte[] L, int lo, float[] mins, int mi,
            byte[] laux, float rmin, float rdelta, int nstep, boolean useMad, float min, float max, float sumW, float sumX,
            boolean vector) {
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestMad = 0;
        for (int i = 0; i < n; i++) {
            int l = ScaleSearch.nearestInt(iscale * (x[xo + i] - min));
            l = Math.max(0, Math.min(nmax, l));
            L[lo + i] = (byte) l;
            float diff = scale * l + min - x[xo + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestMad += w[i] * diff;
        }
        if (nstep < 1) {
            mins[mi] = -min;
            return scale;
        }
        if (VectorScaleSearch.ENABLED && vector) {
            float[] fit = new float[4];
            int from = 0;
            while (from <= nstep) {
                int won = VectorScaleSearch.affineGroup(from, n, nmax, x, xo, w, rmin, rdelta, nstep, useMad, min, max,
                        sumW, sumX, bestMad, fit);
                if (won < 0) {
                    from += VectorScaleSearch.LANES;
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    int l = ScaleSearch.nearestInt(fit[3] * (x[xo + i] - min));
                    L[lo + i] = (byte) Math.max(0, Math.min(nmax, l));
                }
                scale = fit[0];
                min = fit[1];
                bestMad = fit[2];
                from = won + 1;
            }
            mins[mi] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = ScaleSearch.nearestInt(iscale * (x[xo + i] - min));
                l = Math.max(0, Math.min(nmax, l));
                laux[i] = (byte) l;
                float wi = w[i];
                sumL += wi * l;
                sumL2 += wi * l * l;
                sumXL += wi * l * x[xo + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float mad = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * (laux[i] & 0xFF) + thisMin - x[xo + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    mad += w[i] * diff;
                }
                if (mad < bestMad) {
                    System.arraycopy(laux, 0, L, lo, n);
                    bestMad = mad;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        mins[mi] = -min;
        return scale;
    }
}
