package io.llmopt.compress.prune;

import io.llmopt.compress.calib.WorkingWeights;
import io.llmopt.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * Global magnitude pruning (torch.nn.utils.prune.global_unstructured with L1Unstructured): one ranking of |W|
 * over all pruned matrices together, removing the round(s·total) smallest; ties broken by matrix order, then
 * position.
 */
final class GlobalMagnitude {
    private GlobalMagnitude() {
    }

    /** Masks by GGUF name of every non-skipped matrix. */
    static Map<String, boolean[]> masks(WorkingWeights w, boolean[][] skipped, double sparsity) {
        int layers = w.config().numLayers();
        long total = 0;
        for (int l = 0; l < layers; l++) {
            for (PrunableMatrix pm : PrunableMatrix.values()) {
                if (!skipped[l][pm.ordinal()]) {
                    total += pm.of(w.layer(l)).elementCount();
                }
            }
        }
        double[] all = new double[Math.toIntExact(total)];
        int at = 0;
        for (int l = 0; l < layers; l++) {
            for (PrunableMatrix pm : PrunableMatrix.values()) {
                if (!skipped[l][pm.ordinal()]) {
                    float[] v = pm.of(w.layer(l)).toFloatArray();
                    for (float f : v) {
                        all[at++] = Math.abs(f);
                    }
                }
            }
        }
        boolean[] mask = new boolean[all.length];
        MaskSelection.smallest(all, 0, all.length, (int) Math.round(sparsity * all.length), mask);
        Map<String, boolean[]> out = new HashMap<>();
        at = 0;
        for (int l = 0; l < layers; l++) {
            for (PrunableMatrix pm : PrunableMatrix.values()) {
                if (!skipped[l][pm.ordinal()]) {
                    Tensor t = pm.of(w.layer(l));
                    int n = Math.toIntExact(t.elementCount());
                    out.put(pm.ggufName(l), java.util.Arrays.copyOfRange(mask, at, at + n));
                    at += n;
                }
            }
        }
        return out;
    }
}
