package io.llmopt.tensor.quant;

/**
 * The scale-only ("symmetric") searches of ggml's k-quants, transcribed operation for operation from
 * ggml-quants.c b4747 so that every float rounding happens in the same order: {@code make_qx_quants},
 * {@code make_q3_quants} and {@code make_qp_quants}. Java float arithmetic is IEEE binary32 without fused
 * multiply-add, which is what ggml's portable code compiles to (llama.cpp builds ggml-base without -ffast-math
 * or FMA), so the results are bit-identical.
 *
 * <p>Legend: x = the values of one group, n = its length, L = the chosen levels, w = per-value weights,
 * nmax = half the number of levels (symmetric) or the top level (non-negative).
 *
 * <p>Level arrays are {@code byte[]} because ggml stores them in {@code int8_t}/{@code uint8_t}: a level that
 * does not fit wraps around exactly as it does there (callers read them signed or {@code & 0xFF}).
 */
final class ScaleSearch {
    /** ggml's GROUP_MAX_EPS: groups whose largest magnitude is below it are all-zero. */
    static final float GROUP_MAX_EPS = 1e-15f;

    private ScaleSearch() {
    }

    /**
     * ggml's {@code nearest_int}: round to nearest, ties to even, by adding 1.5·2^23 and reading the mantissa.
     * Reproduces ggml's result for every input, including those outside ±2^22 where the trick wraps.
     */
    static int nearestInt(float value) {
        float shifted = value + 12582912f;
        return (Float.floatToRawIntBits(shifted) & 0x007fffff) - 0x00400000;
    }

    /** The fp16 value a float becomes when stored in a block (ggml re-reads scales after storing them). */
    static float fp16Round(float value) {
        return Float.float16ToFloat(Float.floatToFloat16(value));
    }

    /**
     * {@code make_qx_quants}: symmetric levels −nmax..nmax−1 stored as L + nmax; returns the scale. With
     * {@code rmseType} 0 the scale is max/−nmax; otherwise a search over 18 nearby scales minimizing
     * Σw·(x − scale·l)² with w = qw, or x² (type 1), 1 (2), |x| (3), √|x| (4); a negative type returns after
     * the first least-squares step.
     */
    static float makeQx(int n, int nmax, float[] x, int xo, byte[] L, int lo, int rmseType, float[] qw, int qo) {
        return makeQx(n, nmax, x, xo, L, lo, rmseType, qw, qo, true);
    }

    /** As above; {@code vector} false forces the scalar candidate loop (the reference, for tests). */
    static float makeQx(int n, int nmax, float[] x, int xo, byte[] L, int lo, int rmseType, float[] qw, int qo,
            boolean vector) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                L[lo + i] = 0;
            }
            return 0f;
        }
        float iscale = -nmax / max;
        if (rmseType == 0) {
            for (int i = 0; i < n; i++) {
                int l = nearestInt(iscale * x[xo + i]);
                L[lo + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
            }
            return 1 / iscale;
        }
        boolean returnEarly = false;
        if (rmseType < 0) {
            rmseType = -rmseType;
            returnEarly = true;
        }
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xo + i];
            int l = nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            L[lo + i] = (byte) (l + nmax);
            float w = weight(qw, qo + i, rmseType, xi);
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        if (returnEarly) {
            return suml2 > 0 ? 0.5f * (scale + 1 / iscale) : 1 / iscale;
        }
        float best = scale * sumlx;
        if (VectorScaleSearch.ENABLED && vector) {
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = weight(qw, qo + i, rmseType, x[xo + i]);
            }
            float[] fit = {scale};
            float accepted = VectorScaleSearch.symmetricCandidates(n, nmax, x, xo, w, max, best, fit);
            if (!Float.isNaN(accepted)) {
                for (int i = 0; i < n; i++) {
                    int l = nearestInt(accepted * x[xo + i]);
                    L[lo + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
                }
            }
            return fit[0];
        }
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xo + i];
                int l = nearestInt(iscale * xi);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = weight(qw, qo + i, rmseType, xi);
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int l = nearestInt(iscale * x[xo + i]);
                    L[lo + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    private static float weight(float[] qw, int i, int rmseType, float x) {
        if (qw != null) {
            return qw[i];
        }
        return switch (rmseType) {
            case 1 -> x * x;
            case 2 -> 1;
            case 3 -> Math.abs(x);
            default -> (float) Math.sqrt(Math.abs(x));
        };
    }

    /**
     * {@code make_q3_quants}: symmetric levels −nmax..nmax−1 (stored + nmax). With {@code doRmse}, starts from
     * max/−nmax and then moves single levels while that lowers the x²-weighted error (up to 5 passes).
     */
    static float makeQ3(int n, int nmax, float[] x, int xo, byte[] L, int lo, boolean doRmse) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                L[lo + i] = 0;
            }
            return 0f;
        }
        float iscale = -nmax / max;
        if (doRmse) {
            float sumlx = 0;
            float suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xo + i];
                int l = nearestInt(iscale * xi);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                L[lo + i] = (byte) l;
                float w = xi * xi;
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            for (int itry = 0; itry < 5; itry++) {
                int changed = 0;
                for (int i = 0; i < n; i++) {
                    float xi = x[xo + i];
                    float w = xi * xi;
                    int li = L[lo + i];
                    float slx = sumlx - w * xi * li;
                    if (slx > 0) {
                        float sl2 = suml2 - w * li * li;
                        int newL = nearestInt(xi * sl2 / slx);
                        newL = Math.max(-nmax, Math.min(nmax - 1, newL));
                        if (newL != li) {
                            slx += w * xi * newL;
                            sl2 += w * newL * newL;
                            if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                                L[lo + i] = (byte) newL;
                                sumlx = slx;
                                suml2 = sl2;
                                changed++;
                            }
                        }
                    }
                }
                if (changed == 0) {
                    break;
                }
            }
            for (int i = 0; i < n; i++) {
                L[lo + i] += (byte) nmax;
            }
            return sumlx / suml2;
        }
        for (int i = 0; i < n; i++) {
            int l = nearestInt(iscale * x[xo + i]);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            L[lo + i] = (byte) (l + nmax);
        }
        return 1 / iscale;
    }

    /**
     * {@code make_qp_quants}: non-negative levels 0..nmax for non-negative x (used for the sub-block scales and
     * minimums of the importance-weighted k-quants); tries 8 scales near max/nmax, then moves single levels
     * while the qw-weighted error drops. L is {@code uint8_t} in ggml (read {@code & 0xFF}).
     */
    static float makeQp(int n, int nmax, float[] x, byte[] L, float[] qw) {
        float max = 0;
        for (int i = 0; i < n; i++) {
            max = max > x[i] ? max : x[i];
        }
        if (max == 0) {
            for (int i = 0; i < n; i++) {
                L[i] = 0;
            }
            return 0f;
        }
        float iscale = nmax / max;
        for (int i = 0; i < n; i++) {
            L[i] = (byte) nearestInt(iscale * x[i]);
        }
        float scale = 1 / iscale;
        float bestMse = 0;
        for (int i = 0; i < n; i++) {
            float diff = x[i] - scale * (L[i] & 0xFF);
            bestMse += qw[i] * diff * diff;
        }
        for (int is = -4; is <= 4; is++) {
            if (is == 0) {
                continue;
            }
            float iscaleIs = (0.1f * is + nmax) / max;
            float scaleIs = 1 / iscaleIs;
            float mse = 0;
            for (int i = 0; i < n; i++) {
                int l = Math.min(nmax, nearestInt(iscaleIs * x[i]));
                float diff = x[i] - scaleIs * l;
                mse += qw[i] * diff * diff;
            }
            if (mse < bestMse) {
                bestMse = mse;
                iscale = iscaleIs;
            }
        }
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            int l = Math.min(nmax, nearestInt(iscale * x[i]));
            L[i] = (byte) l;
            float w = qw[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        for (int itry = 0; itry < 5; itry++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float w = qw[i];
                int li = L[i] & 0xFF;
                float slx = sumlx - w * x[i] * li;
                float sl2 = suml2 - w * li * li;
                if (slx > 0 && sl2 > 0) {
                    int newL = Math.min(nmax, nearestInt(x[i] * sl2 / slx));
                    if (newL != li) {
                        slx += w * x[i] * newL;
                        sl2 += w * newL * newL;
                        if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[i] = (byte) newL;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) {
                break;
            }
        }
        return sumlx / suml2;
    }
}
