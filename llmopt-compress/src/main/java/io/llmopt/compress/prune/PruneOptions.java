package io.llmopt.compress.prune;

import io.llmopt.tensor.LlmoptException;
import java.util.List;

/**
 * How to prune.
 *
 * @param method    scoring rule
 * @param pattern   unstructured sparsity per matrix (global-magnitude: over all pruned matrices) or N:M
 * @param skip      regular expressions; a layer matrix whose GGUF name (e.g. blk.0.attn_q.weight) contains a
 *                  match is left dense — each must match at least one prunable matrix
 * @param blockSize SparseGPT's lazy block width
 * @param damp      SparseGPT's dampening as a fraction of the mean Hessian diagonal
 * @param threads   worker threads
 */
public record PruneOptions(PruneMethod method, SparsityPattern pattern, List<String> skip, int blockSize, double damp,
        int threads) {

    public PruneOptions {
        skip = List.copyOf(skip);
        if (method == PruneMethod.GLOBAL_MAGNITUDE && pattern.isNm()) {
            throw new LlmoptException("global-magnitude is unstructured; use magnitude, wanda or sparsegpt with --nm");
        }
        if (blockSize < 1) {
            throw new LlmoptException("--block-size must be positive, got " + blockSize);
        }
        if (!(damp > 0)) {
            throw new LlmoptException("--damp must be positive, got " + damp);
        }
        if (threads < 1) {
            throw new LlmoptException("threads must be at least 1, got " + threads);
        }
    }

    public static PruneOptions of(PruneMethod method, SparsityPattern pattern) {
        return new PruneOptions(method, pattern, List.of(), SparseGpt.DEFAULT_BLOCK, SparseGpt.DEFAULT_DAMP,
                Runtime.getRuntime().availableProcessors());
    }

    public boolean needsGram() {
        return true; // every method reports ‖WX − ŴX‖/‖WX‖, which needs XᵀX
    }
}
