package io.llmopt.compress.prune;

import java.util.List;

/**
 * What pruning did.
 *
 * @param matrices one entry per layer matrix, in model order
 * @param sparsity zeros / weights over the pruned matrices
 */
public record PruneReport(String method, String pattern, int calibrationSamples, int calibrationSeqLen,
        List<MatrixReport> matrices, double sparsity, double seconds) {

    /**
     * @param skipped       left dense by --skip
     * @param sparsity      fraction of zeros after pruning
     * @param relativeError ‖WX − ŴX‖_F / ‖WX‖_F on the calibration inputs this layer saw
     * @param nmViolations  N:M groups with more than N non-zeros (0 for valid N:M; −1 when not N:M)
     */
    public record MatrixReport(String name, int layer, int rows, int cols, boolean skipped, double sparsity,
            double relativeError, long nmViolations) {
    }
}
