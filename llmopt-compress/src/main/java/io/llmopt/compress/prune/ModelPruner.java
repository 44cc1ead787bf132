package io.llmopt.compress.prune;

import io.llmopt.compress.calib.CalibrationSet;
import io.llmopt.compress.calib.DenseMatrix;
import io.llmopt.compress.calib.InputGroup;
import io.llmopt.compress.calib.InputStatistics;
import io.llmopt.compress.calib.SequentialCalibration;
import io.llmopt.compress.calib.WorkingWeights;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Unstructured / N:M pruning of every decoder-layer matrix (embeddings and the output projection stay dense),
 * layer by layer: calibrate layer l on the outputs of the already-pruned layers 0..l−1, prune its seven
 * matrices from those statistics, replace them with F32 copies, go on. Global magnitude chooses its masks
 * up front from the original weights (one threshold over all pruned matrices) and applies them layer by layer.
 *
 * <p>The result's weights are the pruned model (layer matrices in F32); zeros are the mask, so an iterative
 * prune → fine-tune schedule can re-apply it with {@link MaskSelection#apply} after each update.
 */
public final class ModelPruner {

    /** The pruned weights (same config) and the report. */
    public record Result(LlamaConfig config, LlamaWeights weights, PruneReport report) {
    }

    /**
     * Prunes one matrix in place from its calibration statistics: the hook for scoring rules that are not a
     * {@link PruneMethod} (ablations such as Wanda with a per-matrix comparison group, or a future schedule).
     */
    @FunctionalInterface
    public interface MatrixRule {
        void prune(String ggufName, DenseMatrix w, InputStatistics x);
    }

    private ModelPruner() {
    }

    public static Result prune(LlamaConfig config, LlamaWeights weights, CalibrationSet calibration, PruneOptions o,
            PruneListener listener) {
        return prune(config, weights, calibration, o, null, listener);
    }

    /**
     * As {@link #prune(LlamaConfig, LlamaWeights, CalibrationSet, PruneOptions, PruneListener)}, but every
     * non-skipped matrix is pruned by {@code rule} (null: by {@code o.method()}); the sequential calibration,
     * skipping and the report are the same.
     */
    public static Result prune(LlamaConfig config, LlamaWeights weights, CalibrationSet calibration, PruneOptions o,
            MatrixRule rule, PruneListener listener) {
        long t0 = System.nanoTime();
        boolean[][] skipped = skipped(config.numLayers(), o.skip());
        WorkingWeights work = new WorkingWeights(config, weights);
        WorkerPool pool = new WorkerPool(o.threads());
        Kernels kernels = KernelProvider.get();
        List<PruneReport.MatrixReport> reports = new ArrayList<>();
        try {
            Map<String, boolean[]> globalMasks = o.method() == PruneMethod.GLOBAL_MAGNITUDE
                    ? GlobalMagnitude.masks(work, skipped, o.pattern().sparsity()) : Map.of();
            SequentialCalibration calib = new SequentialCalibration(work, calibration, kernels, pool);
            for (int l = 0; l < config.numLayers(); l++) {
                listener.layerStarted(l, config.numLayers(), "calibrating");
                Map<InputGroup, InputStatistics> stats = calib.collect(l, o.needsGram());
                listener.layerStarted(l, config.numLayers(), "pruning");
                Tensor[] pruned = new Tensor[PrunableMatrix.values().length];
                for (PrunableMatrix pm : PrunableMatrix.values()) {
                    Tensor t = pm.of(work.layer(l));
                    String name = pm.ggufName(l);
                    InputStatistics x = stats.get(pm.input());
                    DenseMatrix before = DenseMatrix.of(t);
                    DenseMatrix after = before.copy();
                    boolean skip = skipped[l][pm.ordinal()];
                    if (!skip && rule != null) {
                        rule.prune(name, after, x);
                    } else if (!skip) {
                        pruneMatrix(after, x, o, globalMasks.get(name), pool);
                    }
                    pruned[pm.ordinal()] = skip ? t : after.toTensor();
                    double error = ReconstructionError.relative(before.values(), after.values(), after.rows(), after.cols(), x.gram(), pool);
                    long violations = o.pattern().isNm()
                            ? NmCheck.violations(after.values(), after.rows(), after.cols(), o.pattern().n(), o.pattern().m()) : -1;
                    PruneReport.MatrixReport r = new PruneReport.MatrixReport(name, l, after.rows(), after.cols(), skip,
                            (double) after.countZeros() / after.values().length, error, violations);
                    reports.add(r);
                    listener.matrixDone(r);
                }
                work.setLayer(l, PrunableMatrix.with(work.layer(l), pruned));
                if (l + 1 < config.numLayers()) {
                    listener.layerStarted(l, config.numLayers(), "propagating");
                    calib.advance();
                }
            }
        } finally {
            pool.shutdown();
        }
        double zeros = 0;
        double total = 0;
        for (PruneReport.MatrixReport r : reports) {
            if (!r.skipped()) {
                zeros += r.sparsity() * r.rows() * r.cols();
                total += (double) r.rows() * r.cols();
            }
        }
        PruneReport report = new PruneReport(o.method().cliName(), o.pattern().toString(), calibration.samples(),
                calibration.seqLen(), List.copyOf(reports), total == 0 ? 0 : zeros / total, (System.nanoTime() - t0) / 1e9);
        return new Result(config, work.weights(), report);
    }

    static void pruneMatrix(DenseMatrix w, InputStatistics x, PruneOptions o, boolean[] globalMask, WorkerPool pool) {
        SparsityPattern p = o.pattern();
        if (!p.isNm() && p.sparsity() == 0) {
            return;
        }
        float[] v = w.values();
        switch (o.method()) {
            case MAGNITUDE -> MaskSelection.apply(v, Magnitude.mask(v, w.rows(), w.cols(), p));
            case GLOBAL_MAGNITUDE -> MaskSelection.apply(v, globalMask);
            case WANDA -> MaskSelection.apply(v, Wanda.mask(v, w.rows(), w.cols(), x.columnNorms(), p));
            case SPARSEGPT -> SparseGpt.prune(v, w.rows(), w.cols(), x.gram(), p, o.blockSize(), o.damp(), pool);
        }
    }

    /** skipped[layer][matrix]; fails naming a pattern that matches no prunable matrix. */
    static boolean[][] skipped(int layers, List<String> patterns) {
        boolean[][] out = new boolean[layers][PrunableMatrix.values().length];
        Map<String, Boolean> used = new HashMap<>();
        for (String s : patterns) {
            Pattern re;
            try {
                re = Pattern.compile(s);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new LlmoptException("--skip '" + s + "' is not a valid regular expression: " + e.getDescription());
            }
            boolean any = false;
            for (int l = 0; l < layers; l++) {
                for (PrunableMatrix pm : PrunableMatrix.values()) {
                    if (re.matcher(pm.ggufName(l)).find()) {
                        out[l][pm.ordinal()] = true;
                        any = true;
                    }
                }
            }
            if (!any) {
                throw new LlmoptException("--skip '" + s + "' matches no prunable matrix (names look like blk.0.attn_q.weight, blk.3.ffn_down.weight)");
            }
            used.put(s, true);
        }
        return out;
    }
}
