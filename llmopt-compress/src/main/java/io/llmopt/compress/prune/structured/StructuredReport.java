package io.llmopt.compress.prune.structured;

import java.util.List;

/**
 * What structured pruning removed.
 *
 * @param layers per original layer: removed unit indices (kv groups, channels; for LAYERS the layer itself when
 *               removed) and its importance scores
 */
public record StructuredReport(String kind, double ratio, String summary, List<LayerEntry> layers,
        long parametersBefore, long parametersAfter, double seconds) {

    public record LayerEntry(int layer, int[] removed, double[] scores, String detail) {
    }
}
