package io.llmopt.compress.imatrix;

import io.llmopt.model.ActivationObserver;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.tensor.LlmoptException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulates an importance matrix from a model's forward passes, with llama-imatrix's semantics (b4747,
 * collect_imatrix): for each weight matrix of the decoder layers (and of the output projection with
 * {@code includeOutput}), per input column c the sum of x_c² over every token of every call, the token count,
 * and the number of calls; calls of fewer than 16 tokens are ignored as there. Sums are kept in double (llama.cpp
 * uses float). Stored value = (sum_c / count_c) · ncall, the quantity llama.cpp writes.
 *
 * <p>Install with {@code LlamaModel.setActivationObserver}; not thread-safe (one forward pass at a time).
 */
public final class ImatrixCollector implements ActivationObserver {
    /** llama-imatrix skips matrix multiplications of smaller batches. */
    public static final int MIN_TOKENS = 16;

    private static final class Stats {
        final double[] sums;
        final long[] counts;
        int ncall;

        Stats(int cols) {
            sums = new double[cols];
            counts = new long[cols];
        }
    }

    private final TensorNames names;
    private final boolean includeOutput;
    private final Map<String, Stats> stats = new LinkedHashMap<>();
    private final String[][] keys;

    /** @param layers number of decoder layers (names are cached per layer) */
    public ImatrixCollector(int layers, boolean includeOutput) {
        this.names = TensorNames.GGUF;
        this.includeOutput = includeOutput;
        this.keys = new String[layers][Weight.values().length];
    }

    @Override
    public void observe(int layer, Weight weight, float[] x, int rows, int cols) {
        if (rows < MIN_TOKENS || (weight == Weight.OUTPUT && !includeOutput)) {
            return;
        }
        String name = name(layer, weight);
        Stats s = stats.computeIfAbsent(name, k -> new Stats(cols));
        if (s.sums.length != cols) {
            throw new LlmoptException("importance matrix: inconsistent size for " + name + " (" + s.sums.length + " vs " + cols + ")");
        }
        s.ncall++;
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                double v = x[base + c];
                s.sums[c] += v * v;
            }
        }
        for (int c = 0; c < cols; c++) {
            s.counts[c] += rows;
        }
    }

    private String name(int layer, Weight weight) {
        if (weight == Weight.OUTPUT) {
            return names.output();
        }
        String k = keys[layer][weight.ordinal()];
        if (k == null) {
            String pattern = switch (weight) {
                case ATTN_Q -> names.wq();
                case ATTN_K -> names.wk();
                case ATTN_V -> names.wv();
                case ATTN_OUTPUT -> names.wo();
                case FFN_GATE -> names.gate();
                case FFN_UP -> names.up();
                case FFN_DOWN -> names.down();
                case OUTPUT -> names.output();
            };
            k = TensorNames.layer(pattern, layer);
            keys[layer][weight.ordinal()] = k;
        }
        return k;
    }

    /** Number of weights seen so far. */
    public int entryCount() {
        return stats.size();
    }

    /**
     * The collected matrix in llama.cpp's file form; {@code chunks} and {@code dataset} are written as its
     * trailer. Entries without data are left out (as llama-imatrix does).
     */
    public ImatrixFile toFile(int chunks, String dataset) {
        Map<String, ImatrixFile.Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Stats> e : stats.entrySet()) {
            Stats s = e.getValue();
            float[] values = new float[s.sums.length];
            boolean complete = true;
            for (int c = 0; c < values.length; c++) {
                complete &= s.counts[c] > 0;
                values[c] = (float) (s.sums[c] / s.counts[c] * s.ncall);
            }
            if (complete) {
                entries.put(e.getKey(), new ImatrixFile.Entry(s.ncall, values));
            }
        }
        return new ImatrixFile(entries, chunks, dataset);
    }
}
