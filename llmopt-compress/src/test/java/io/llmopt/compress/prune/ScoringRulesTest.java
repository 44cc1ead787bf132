package io.llmopt.compress.prune;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.compress.calib.InputStatistics;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Magnitude, Wanda and SparseGPT on small random layers against straightforward references written here
 * independently (sorting (score, index) pairs; a float64 SparseGPT without lazy blocks, with H⁻¹ by
 * Gauss–Jordan elimination and its own Cholesky).
 */
class ScoringRulesTest {
    private static final WorkerPool POOL = new WorkerPool(2);

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    static float[] randomWeights(int rows, int cols, long seed, boolean withTies) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.5);
            if (withTies && i % 7 == 0) {
                w[i] = (i % 2 == 0 ? 0.25f : -0.25f); // many exact |w| ties
            }
        }
        return w;
    }

    /** X [n][cols] with correlated columns and very different column scales (outlier features). */
    static float[] correlatedInputs(int n, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] mix = new double[cols * cols];
        for (int i = 0; i < mix.length; i++) {
            mix[i] = r.nextGaussian() * (r.nextInt(5) == 0 ? 1 : 0.1);
        }
        float[] x = new float[n * cols];
        double[] z = new double[cols];
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < cols; j++) {
                z[j] = r.nextGaussian();
            }
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int k = 0; k < cols; k++) {
                    s += mix[j * cols + k] * z[k];
                }
                x[t * cols + j] = (float) (s * (j % 11 == 0 ? 8 : 1));
            }
        }
        return x;
    }

    static InputStatistics stats(float[] x, int n, int cols) {
        InputStatistics s = new InputStatistics(cols, true);
        s.add(x, n / 2, KernelProvider.get(), POOL);
        s.add(Arrays.copyOfRange(x, (n / 2) * cols, n * cols), n - n / 2, KernelProvider.get(), POOL);
        return s;
    }

    @Test
    void inputStatisticsMatchDirectSums() {
        int n = 50;
        int cols = 13;
        float[] x = correlatedInputs(n, cols, 1);
        InputStatistics s = stats(x, n, cols);
        double[] g = s.gram();
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                double direct = 0;
                for (int t = 0; t < n; t++) {
                    direct += (double) x[t * cols + i] * x[t * cols + j];
                }
                assertThat(g[i * cols + j]).isCloseTo(direct, org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(direct))));
            }
            assertThat(s.columnNorms()[i]).isCloseTo(Math.sqrt(g[i * cols + i]), org.assertj.core.data.Offset.offset(1e-3));
        }
        assertThat(s.rows()).isEqualTo(n);
    }

    @Test
    void magnitudeMatchesBruteForce() {
        int rows = 17;
        int cols = 40;
        float[] w = randomWeights(rows, cols, 3, true);
        for (double s : new double[] {0, 0.1, 0.33, 0.5, 0.9}) {
            boolean[] mask = Magnitude.mask(w, rows, cols, SparsityPattern.unstructured(s));
            Integer[] order = new Integer[w.length];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> Math.abs(w[i])).thenComparingInt(i -> i));
            boolean[] expected = new boolean[w.length];
            for (int i = 0; i < Math.round(s * w.length); i++) {
                expected[order[i]] = true;
            }
            assertThat(mask).as("sparsity " + s).containsExactly(expected);
        }
    }

    @Test
    void wandaMatchesPerRowReference() {
        int rows = 9;
        int cols = 32;
        int n = 64;
        float[] w = randomWeights(rows, cols, 5, true);
        float[] x = correlatedInputs(n, cols, 6);
        double[] norms = new double[cols];
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (int t = 0; t < n; t++) {
                s += (double) x[t * cols + j] * x[t * cols + j];
            }
            norms[j] = Math.sqrt(s);
        }
        for (SparsityPattern p : new SparsityPattern[] {SparsityPattern.unstructured(0.5), SparsityPattern.unstructured(0.3),
            SparsityPattern.parseNm("2:4"), SparsityPattern.parseNm("4:8")}) {
            boolean[] mask = Wanda.mask(w, rows, cols, stats(x, n, cols).columnNorms(), p);
            boolean[] expected = new boolean[w.length];
            int group = p.isNm() ? p.m() : cols;
            int prune = p.isNm() ? p.m() - p.n() : (int) (p.sparsity() * cols);
            for (int r = 0; r < rows; r++) {
                for (int g = 0; g < cols; g += group) {
                    int row = r;
                    Integer[] order = new Integer[group];
                    for (int i = 0; i < group; i++) {
                        order[i] = g + i;
                    }
                    Arrays.sort(order, Comparator.<Integer>comparingDouble(c -> Math.abs(w[row * cols + c]) * norms[c]).thenComparingInt(c -> c));
                    for (int i = 0; i < prune; i++) {
                        expected[r * cols + order[i]] = true;
                    }
                }
            }
            assertThat(mask).as(p.toString()).containsExactly(expected);
        }
    }

    @Test
    void sparseGptMatchesStraightforwardFloat64AndBeatsMagnitude() {
        int rows = 24;
        int cols = 96;
        int n = 400;
        float[] w = randomWeights(rows, cols, 8, false);
        float[] x = correlatedInputs(n, cols, 9);
        double[] gram = stats(x, n, cols).gram();
        for (SparsityPattern p : new SparsityPattern[] {SparsityPattern.unstructured(0.5), SparsityPattern.unstructured(0.7),
            SparsityPattern.parseNm("2:4")}) {
            float[] ours = w.clone();
            SparseGpt.prune(ours, rows, cols, gram, p, 32, 0.01, POOL);
            double[] ref = SparseGptReference.prune(w, rows, cols, gram, p, 32, 0.01);
            for (int i = 0; i < ours.length; i++) {
                assertThat(ours[i] == 0).as(p + " mask at " + i).isEqualTo(ref[i] == 0);
                assertThat((double) ours[i]).as(p + " weight " + i).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-5));
            }
            float[] magnitude = w.clone();
            MaskSelection.apply(magnitude, Magnitude.mask(magnitude, rows, cols, p));
            float[] wanda = w.clone();
            MaskSelection.apply(wanda, Wanda.mask(wanda, rows, cols, stats(x, n, cols).columnNorms(), p));
            double eSparse = ReconstructionError.relative(w, ours, rows, cols, gram, POOL);
            double eMag = ReconstructionError.relative(w, magnitude, rows, cols, gram, POOL);
            double eWanda = ReconstructionError.relative(w, wanda, rows, cols, gram, POOL);
            System.out.printf("%s: relative error magnitude %.4f, Wanda %.4f, SparseGPT %.4f%n", p, eMag, eWanda, eSparse);
            assertThat(eSparse).as(p.toString()).isLessThan(eMag).isLessThan(eWanda);
            assertThat(eWanda).as(p.toString()).isLessThan(eMag);
            assertThat(eMag).isCloseTo(directError(w, magnitude, x, rows, cols, n), org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    /** ‖(W − Ŵ)Xᵀ‖/‖WXᵀ‖ computed from X itself. */
    static double directError(float[] w, float[] pruned, float[] x, int rows, int cols, int n) {
        double num = 0;
        double den = 0;
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < n; t++) {
                double a = 0;
                double b = 0;
                for (int c = 0; c < cols; c++) {
                    a += (double) w[r * cols + c] * x[t * cols + c];
                    b += (double) pruned[r * cols + c] * x[t * cols + c];
                }
                num += (a - b) * (a - b);
                den += a * a;
            }
        }
        return Math.sqrt(num / den);
    }
}
