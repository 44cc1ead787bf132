package io.llmopt.compress.prune.sparse;

import io.llmopt.tensor.LlmoptException;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 2:4 sparse matrix W [rows, cols] (cols a multiple of 4) packed as in sparse tensor cores: per group of four
 * inputs, two values (values[r·cols/2 + 2g + k]) and their two positions in the group (2 bits each, one byte per
 * group: meta[r·cols/4 + g] = p0 | p1 << 2, p0 < p1). Half the values, 1/16 of the dense size in metadata.
 * A group with fewer than two non-zeros stores zeros at unused positions.
 */
public final class Packed24Matrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private final int rows;
    private final int cols;
    private final float[] values;  // [rows][cols/2]
    private final byte[] meta;     // [rows][cols/4]

    private Packed24Matrix(int rows, int cols, float[] values, byte[] meta) {
        this.rows = rows;
        this.cols = cols;
        this.values = values;
        this.meta = meta;
    }

    /** Packs a dense row-major matrix that satisfies 2:4; fails naming the first group with more than two non-zeros. */
    public static Packed24Matrix of(float[] w, int rows, int cols) {
        if (cols % 4 != 0) {
            throw new LlmoptException("2:4 packing needs rows whose length is a multiple of 4, got " + cols);
        }
        float[] values = new float[rows * cols / 2];
        byte[] meta = new byte[rows * cols / 4];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < cols / 4; g++) {
                int[] pos = new int[2];
                int k = 0;
                for (int i = 0; i < 4; i++) {
                    if (w[r * cols + 4 * g + i] != 0f) {
                        if (k == 2) {
                            throw new LlmoptException("row " + r + " group " + g + " has more than 2 non-zeros of 4: not 2:4 sparse");
                        }
                        pos[k++] = i;
                    }
                }
                if (k < 2) { // fill unused slots with distinct positions holding zero
                    int p = 0;
                    while (k < 2) {
                        if (k == 0 || pos[0] != p) {
                            pos[k++] = p;
                        }
                        p++;
                    }
                    java.util.Arrays.sort(pos);
                }
                int base = r * cols / 2 + 2 * g;
                values[base] = w[r * cols + 4 * g + pos[0]];
                values[base + 1] = w[r * cols + 4 * g + pos[1]];
                meta[r * cols / 4 + g] = (byte) (pos[0] | pos[1] << 2);
            }
        }
        return new Packed24Matrix(rows, cols, values, meta);
    }

    public long byteSize() {
        return 4L * values.length + meta.length;
    }

    /** The reference: y[r] = Σ over groups of values·x[4g + position], rows [from, to). */
    public void multiplyScalar(float[] x, float[] y, int from, int to) {
        int half = cols / 2;
        int groups = cols / 4;
        for (int r = from; r < to; r++) {
            float s = 0f;
            for (int g = 0; g < groups; g++) {
                int m = meta[r * groups + g];
                s += values[r * half + 2 * g] * x[4 * g + (m & 3)];
                s += values[r * half + 2 * g + 1] * x[4 * g + ((m >> 2) & 3)];
            }
            y[r] = s;
        }
    }

    /**
     * Vectorized: the metadata of a row is expanded to absolute column indices ({@code index} scratch of cols/2
     * ints), then x is gathered lane by lane.
     */
    public void multiply(float[] x, float[] y, int from, int to, int[] index) {
        int half = cols / 2;
        int groups = cols / 4;
        int lanes = F.length();
        for (int r = from; r < to; r++) {
            for (int g = 0; g < groups; g++) {
                int m = meta[r * groups + g];
                index[2 * g] = 4 * g + (m & 3);
                index[2 * g + 1] = 4 * g + ((m >> 2) & 3);
            }
            int off = r * half;
            FloatVector acc = FloatVector.zero(F);
            int i = 0;
            for (int bound = half - lanes; i <= bound; i += lanes) {
                acc = FloatVector.fromArray(F, values, off + i).fma(FloatVector.fromArray(F, x, 0, index, i), acc);
            }
            float s = acc.reduceLanes(VectorOperators.ADD);
            for (; i < half; i++) {
                s += values[off + i] * x[index[i]];
            }
            y[r] = s;
        }
    }
}
