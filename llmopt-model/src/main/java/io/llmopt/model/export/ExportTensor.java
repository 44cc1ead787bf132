package io.llmopt.model.export;

/**
 * A tensor to be written: its name in the target convention, its row-major shape, and a source of float rows
 * ([rows][cols] with cols the last dimension). Rows are produced on demand so that writing streams.
 */
public record ExportTensor(String name, long[] shape, RowProducer rows) {

    /** Fills {@code dst[0 .. cols)} with row {@code row}. */
    @FunctionalInterface
    public interface RowProducer {
        void row(long row, float[] dst);
    }

    public long cols() {
        return shape[shape.length - 1];
    }

    public long rowCount() {
        long n = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** All values in one array (for writers that take whole tensors). */
    public float[] toFloatArray() {
        int cols = Math.toIntExact(cols());
        long rows = rowCount();
        float[] all = new float[Math.toIntExact(rows * cols)];
        float[] row = new float[cols];
        for (long r = 0; r < rows; r++) {
            rows().row(r, row);
            System.arraycopy(row, 0, all, Math.toIntExact(r * cols), cols);
        }
        return all;
    }
}
