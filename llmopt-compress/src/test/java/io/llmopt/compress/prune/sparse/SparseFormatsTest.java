package io.llmopt.compress.prune.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.compress.prune.MaskSelection;
import io.llmopt.compress.prune.SparsityPattern;
import io.llmopt.tensor.LlmoptException;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** CSR and packed 2:4 products: scalar reference vs dense product, vector version vs scalar, awkward sizes. */
class SparseFormatsTest {

    static float[] sparse(int rows, int cols, double sparsity, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextDouble() < sparsity ? 0f : (float) r.nextGaussian();
        }
        return w;
    }

    static float[] dense(float[] w, int rows, int cols, float[] x) {
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += (double) w[r * cols + c] * x[c];
            }
            y[r] = (float) s;
        }
        return y;
    }

    @Test
    void csrMatchesDenseAndScalarTwin() {
        int[][] shapes = {{0, 5}, {1, 1}, {3, 7}, {17, 33}, {64, 129}, {5, 300}};
        for (int[] s : shapes) {
            for (double sp : new double[] {0, 0.5, 0.9, 1.0}) {
                float[] w = sparse(s[0], s[1], sp, s[0] * 31L + s[1]);
                float[] x = sparse(1, s[1], 0, 7);
                CsrMatrix m = CsrMatrix.of(w, s[0], s[1]);
                float[] ref = new float[s[0]];
                float[] vec = new float[s[0]];
                m.multiplyScalar(x, ref, 0, s[0]);
                m.multiply(x, vec, 0, s[0]);
                float[] d = dense(w, s[0], s[1], x);
                for (int r = 0; r < s[0]; r++) {
                    assertThat(ref[r]).isCloseTo(d[r], Offset.offset(1e-4f * (1 + Math.abs(d[r]))));
                    assertThat(vec[r]).isCloseTo(ref[r], Offset.offset(1e-4f * (1 + Math.abs(ref[r]))));
                }
            }
        }
    }

    @Test
    void packed24MatchesDenseAndScalarTwin() {
        int[][] shapes = {{1, 4}, {3, 12}, {17, 36}, {9, 260}};
        for (int[] s : shapes) {
            float[] w = sparse(s[0], s[1], 0, s[1]);
            double[] score = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                score[i] = Math.abs(w[i]);
            }
            MaskSelection.apply(w, MaskSelection.nm(score, s[0], s[1], SparsityPattern.parseNm("2:4")));
            w[0] = 0f; // a group with a single non-zero
            float[] x = sparse(1, s[1], 0, 3);
            Packed24Matrix m = Packed24Matrix.of(w, s[0], s[1]);
            float[] ref = new float[s[0]];
            float[] vec = new float[s[0]];
            m.multiplyScalar(x, ref, 0, s[0]);
            m.multiply(x, vec, 0, s[0], new int[s[1] / 2]);
            float[] d = dense(w, s[0], s[1], x);
            for (int r = 0; r < s[0]; r++) {
                assertThat(ref[r]).isCloseTo(d[r], Offset.offset(1e-4f * (1 + Math.abs(d[r]))));
                assertThat(vec[r]).isCloseTo(ref[r], Offset.offset(1e-4f * (1 + Math.abs(ref[r]))));
            }
            assertThat(m.byteSize()).isEqualTo(4L * s[0] * s[1] / 2 + s[0] * s[1] / 4);
        }
    }

    @Test
    void packingRejectsNon24() {
        float[] w = {1, 2, 3, 0};
        assertThatThrownBy(() -> Packed24Matrix.of(w, 1, 4)).isInstanceOf(LlmoptException.class).hasMessageContaining("not 2:4");
        assertThatThrownBy(() -> Packed24Matrix.of(new float[6], 1, 6)).isInstanceOf(LlmoptException.class).hasMessageContaining("multiple of 4");
    }
}
