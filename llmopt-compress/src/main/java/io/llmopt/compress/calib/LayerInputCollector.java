package io.llmopt.compress.calib;

import io.llmopt.model.ActivationObserver;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.EnumMap;
import java.util.Map;

/** Routes the matmul inputs of one decoder layer into one {@link InputStatistics} per input group. */
final class LayerInputCollector implements ActivationObserver {
    private final int layer;
    private final Map<InputGroup, InputStatistics> stats;
    private final Kernels kernels;
    private final WorkerPool pool;

    LayerInputCollector(int layer, Map<InputGroup, InputStatistics> stats, Kernels kernels, WorkerPool pool) {
        this.layer = layer;
        this.stats = new EnumMap<>(stats);
        this.kernels = kernels;
        this.pool = pool;
    }

    @Override
    public void observe(int l, Weight weight, float[] x, int rows, int cols) {
        if (l != layer) {
            return;
        }
        InputGroup g = InputGroup.reportedBy(weight);
        if (g != null) {
            stats.get(g).add(x, rows, kernels, pool);
        }
    }
}
