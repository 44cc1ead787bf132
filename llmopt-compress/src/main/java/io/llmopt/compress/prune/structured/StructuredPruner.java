package io.llmopt.compress.prune.structured;

import io.llmopt.compress.calib.CalibrationSet;
import io.llmopt.compress.calib.InputStatistics;
import io.llmopt.compress.calib.SequentialCalibration;
import io.llmopt.compress.calib.WorkingWeights;
import io.llmopt.model.ActivationObserver;
import io.llmopt.model.LayerWeights;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.LlamaWeights;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Structured pruning to a smaller dense model. Importances come from one calibration pass over the original
 * model (heads, neurons) or from its hidden states (layers):
 * <ul>
 * <li>heads — kv group g of a layer: Σ over its query heads' columns j of W_o of ‖W_o[:, j]‖²·‖X_j‖² (X = the
 *     attention output entering W_o; Wanda's score summed over the head). Removing a group removes its kv head
 *     and its groupSize query heads, so GQA stays consistent.</li>
 * <li>neurons — intermediate channel i: ‖W_down[:, i]‖²·‖X_i‖² (X = silu(gate)·up entering W_down); gate/up
 *     rows and down columns go together.</li>
 * <li>layers — ShortGPT block influence BI_l = 1 − mean over tokens of cos(h_l, h_{l+1}), h the residual
 *     stream before / after layer l; the lowest-BI layers are removed.</li>
 * </ul>
 */
public final class StructuredPruner {

    public record Result(LlamaConfig config, LlamaWeights weights, StructuredReport report) {
    }

    private StructuredPruner() {
    }

    public static Result prune(LlamaConfig c, LlamaWeights w, CalibrationSet set, StructuredTarget target, int threads,
            Consumer<String> progress) {
        long t0 = System.nanoTime();
        WorkerPool pool = new WorkerPool(threads);
        Kernels kernels = KernelProvider.get();
        try {
            return switch (target.kind()) {
                case HEADS -> heads(c, w, columnStats(c, w, set, kernels, pool, ActivationObserver.Weight.ATTN_OUTPUT, progress), target, t0);
                case NEURONS -> neurons(c, w, columnStats(c, w, set, kernels, pool, ActivationObserver.Weight.FFN_DOWN, progress), target, t0);
                case LAYERS -> layers(c, w, set, kernels, pool, target, progress, t0);
            };
        } finally {
            pool.shutdown();
        }
    }

    /** ‖X_j‖² per layer of the input of {@code weight}, over all calibration windows. */
    static double[][] columnStats(LlamaConfig c, LlamaWeights w, CalibrationSet set, Kernels kernels, WorkerPool pool,
            ActivationObserver.Weight weight, Consumer<String> progress) {
        int cols = weight == ActivationObserver.Weight.ATTN_OUTPUT ? c.queryDim() : c.intermediateSize();
        InputStatistics[] stats = new InputStatistics[c.numLayers()];
        for (int l = 0; l < stats.length; l++) {
            stats[l] = new InputStatistics(cols, false);
        }
        LlamaModel model = new LlamaModel(c, w, kernels, pool);
        model.setActivationObserver((l, wt, x, rows, n) -> {
            if (wt == weight && l >= 0) {
                stats[l].add(x, rows, kernels, pool);
            }
        });
        int n = set.seqLen();
        for (int s = 0; s < set.samples(); s++) {
            progress.accept("calibration window " + (s + 1) + "/" + set.samples());
            model.forward(model.newState(n, n), set.windows()[s], 0, n, 0, false);
        }
        double[][] out = new double[stats.length][];
        for (int l = 0; l < stats.length; l++) {
            out[l] = stats[l].columnSquaredNorms();
        }
        return out;
    }

    /** ‖W[:, j]‖² for every column j. */
    static double[] columnSquaredNorms(Tensor t) {
        int cols = Math.toIntExact(t.cols());
        double[] out = new double[cols];
        float[] row = new float[cols];
        for (long r = 0; r < t.rows(); r++) {
            t.readRow(r, row, 0);
            for (int j = 0; j < cols; j++) {
                out[j] += (double) row[j] * row[j];
            }
        }
        return out;
    }

    static Result heads(LlamaConfig c, LlamaWeights w, double[][] xSq, StructuredTarget target, long t0) {
        int groups = c.numKvHeads();
        int k = target.removeCount(groups, "kv head groups");
        int hd = c.headDim();
        int groupCols = c.groupSize() * hd;
        List<LayerWeights> layers = new ArrayList<>();
        List<StructuredReport.LayerEntry> entries = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            LayerWeights lw = w.layers().get(l);
            double[] wSq = columnSquaredNorms(lw.wo());
            double[] score = new double[groups];
            for (int g = 0; g < groups; g++) {
                for (int j = g * groupCols; j < (g + 1) * groupCols; j++) {
                    score[g] += wSq[j] * xSq[l][j];
                }
            }
            int[] removed = Slicing.lowest(score, k);
            int[] keptGroups = Slicing.complement(groups, removed);
            int[] qRows = Slicing.expand(keptGroups, groupCols);   // query heads of kept groups are contiguous
            int[] kvRows = Slicing.expand(keptGroups, hd);
            layers.add(new LayerWeights(lw.attnNorm(), Slicing.rows(lw.wq(), qRows), Slicing.rows(lw.wk(), kvRows),
                    Slicing.rows(lw.wv(), kvRows), Slicing.cols(lw.wo(), qRows),
                    Slicing.elements(lw.bq(), qRows), Slicing.elements(lw.bk(), kvRows), Slicing.elements(lw.bv(), kvRows),
                    lw.ffnNorm(), lw.gate(), lw.up(), lw.down()));
            entries.add(new StructuredReport.LayerEntry(l, removed, score, "removed kv groups " + Arrays.toString(removed)
                    + " (query heads " + Arrays.toString(Slicing.expand(removed, c.groupSize())) + ")"));
        }
        int kv = groups - k;
        LlamaConfig nc = shape(c, c.numLayers(), kv * c.groupSize(), kv, c.intermediateSize());
        return result(c, nc, w, layers, target, entries, String.format("heads %d → %d, kv heads %d → %d per layer",
                c.numHeads(), nc.numHeads(), c.numKvHeads(), kv), t0);
    }

    static Result neurons(LlamaConfig c, LlamaWeights w, double[][] xSq, StructuredTarget target, long t0) {
        int ff = c.intermediateSize();
        int k = target.removeCount(ff, "intermediate channels");
        List<LayerWeights> layers = new ArrayList<>();
        List<StructuredReport.LayerEntry> entries = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            LayerWeights lw = w.layers().get(l);
            double[] wSq = columnSquaredNorms(lw.down());
            double[] score = new double[ff];
            for (int i = 0; i < ff; i++) {
                score[i] = wSq[i] * xSq[l][i];
            }
            int[] removed = Slicing.lowest(score, k);
            int[] kept = Slicing.complement(ff, removed);
            layers.add(new LayerWeights(lw.attnNorm(), lw.wq(), lw.wk(), lw.wv(), lw.wo(), lw.bq(), lw.bk(), lw.bv(),
                    lw.ffnNorm(), Slicing.rows(lw.gate(), kept), Slicing.rows(lw.up(), kept), Slicing.cols(lw.down(), kept)));
            entries.add(new StructuredReport.LayerEntry(l, removed, score, "removed " + removed.length + " of " + ff + " channels"));
        }
        LlamaConfig nc = shape(c, c.numLayers(), c.numHeads(), c.numKvHeads(), ff - k);
        return result(c, nc, w, layers, target, entries, String.format("intermediate size %d → %d", ff, ff - k), t0);
    }

    static Result layers(LlamaConfig c, LlamaWeights w, CalibrationSet set, Kernels kernels, WorkerPool pool,
            StructuredTarget target, Consumer<String> progress, long t0) {
        int k = target.removeCount(c.numLayers(), "layers");
        progress.accept("hidden states of " + (c.numLayers() + 1) + " depths");
        float[][] h = new SequentialCalibration(new WorkingWeights(c, w), set, kernels, pool).hiddenStates();
        int d = c.hiddenSize();
        int tokens = h[0].length / d;
        double[] bi = new double[c.numLayers()];
        for (int l = 0; l < c.numLayers(); l++) {
            double sum = 0;
            for (int t = 0; t < tokens; t++) {
                sum += cosine(h[l], h[l + 1], t * d, d);
            }
            bi[l] = 1 - sum / tokens;
        }
        int[] removed = Slicing.lowest(bi, k);
        List<LayerWeights> layers = new ArrayList<>();
        List<StructuredReport.LayerEntry> entries = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            boolean gone = Arrays.binarySearch(removed, l) >= 0;
            if (!gone) {
                layers.add(w.layers().get(l));
            }
            entries.add(new StructuredReport.LayerEntry(l, gone ? new int[] {l} : new int[0], new double[] {bi[l]},
                    String.format("block influence %.5f%s", bi[l], gone ? "  removed" : "")));
        }
        LlamaConfig nc = shape(c, c.numLayers() - k, c.numHeads(), c.numKvHeads(), c.intermediateSize());
        return result(c, nc, w, layers, target, entries, String.format("layers %d → %d, removed %s", c.numLayers(),
                nc.numLayers(), Arrays.toString(removed)), t0);
    }

    static double cosine(float[] a, float[] b, int off, int n) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = off; i < off + n; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
    }

    private static Result result(LlamaConfig before, LlamaConfig after, LlamaWeights w, List<LayerWeights> layers,
            StructuredTarget target, List<StructuredReport.LayerEntry> entries, String summary, long t0) {
        LlamaWeights nw = new LlamaWeights(w.tokenEmbedding(), layers, w.outputNorm(), w.output());
        nw.validate(after);
        StructuredReport report = new StructuredReport(target.kind().name().toLowerCase(java.util.Locale.ROOT), target.ratio(),
                summary, List.copyOf(entries), before.parameterCount(), after.parameterCount(), (System.nanoTime() - t0) / 1e9);
        return new Result(after, nw, report);
    }

    /** {@code c} with new layer, head and intermediate counts (head size unchanged). */
    static LlamaConfig shape(LlamaConfig c, int layers, int heads, int kvHeads, int intermediate) {
        return new LlamaConfig(c.architecture(), c.hiddenSize(), intermediate, layers, heads, kvHeads, c.headDim(),
                c.vocabSize(), c.rmsNormEps(), c.ropeTheta(), c.ropeDim(), c.ropeLayout(), c.ropeScaling(), c.contextLength(),
                c.tiedEmbeddings(), c.attentionBias(), c.slidingWindow());
    }
}
