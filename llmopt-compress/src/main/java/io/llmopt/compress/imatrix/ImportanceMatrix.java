package io.llmopt.compress.imatrix;

import io.llmopt.tensor.LlmoptException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An importance matrix checked against the model it is applied to: per weight, the mean square of each input
 * column (llama-quantize's {@code quant_weights}). Weights without an entry (llama-imatrix never records the
 * token embedding, and the output matrix only on request) are quantized without importance, as in llama.cpp.
 *
 * @param source  the file it came from (for metadata and messages)
 * @param means   per GGUF weight name, the column means
 * @param chunks  chunks it was computed on, −1 if unknown
 * @param dataset name of the calibration text, "" if unknown
 */
public record ImportanceMatrix(String source, Map<String, float[]> means, int chunks, String dataset) {

    public ImportanceMatrix {
        means = Collections.unmodifiableMap(new LinkedHashMap<>(means));
    }

    /**
     * Reads {@code path} and checks it against the model: every entry must name one of its weights
     * ({@code columns}: weight name → row length) and have exactly that many values.
     */
    public static ImportanceMatrix load(Path path, Map<String, Long> columns) {
        ImatrixFile file = ImatrixFile.read(path);
        Map<String, float[]> means = new LinkedHashMap<>();
        int unknown = 0;
        String firstUnknown = null;
        for (Map.Entry<String, ImatrixFile.Entry> e : file.entries().entrySet()) {
            Long cols = columns.get(e.getKey());
            if (cols == null) {
                unknown++;
                firstUnknown = firstUnknown == null ? e.getKey() : firstUnknown;
                continue;
            }
            int nval = e.getValue().values().length;
            if (nval != cols) {
                throw new LlmoptException(path + ": importance matrix does not match the model: '" + e.getKey() + "' has "
                        + nval + " values but the weight has " + cols + " columns (computed for another model?)");
            }
            means.put(e.getKey(), e.getValue().means());
        }
        if (unknown > 0) {
            throw new LlmoptException(path + ": importance matrix does not match the model: " + unknown + " of "
                    + file.entries().size() + " entries name no weight of it (first: '" + firstUnknown + "')");
        }
        for (Map.Entry<String, float[]> e : means.entrySet()) {
            for (float v : e.getValue()) {
                if (!Float.isFinite(v)) {
                    throw new LlmoptException(path + ": entry '" + e.getKey() + "' contains the non-finite value " + v);
                }
            }
        }
        return new ImportanceMatrix(path.toString(), means, file.chunks(), file.dataset());
    }

    public Optional<float[]> forWeight(String name) {
        return Optional.ofNullable(means.get(name));
    }

    public int entryCount() {
        return means.size();
    }
}
