package io.llmopt.compress.imatrix;

import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.tokenizer.Tokenizer;

/**
 * Computes an importance matrix the way llama-imatrix b4747 does: the calibration text is tokenized once (with
 * BOS), cut into chunks of {@code contextLength} tokens, each chunk's first token replaced by BOS and run as
 * one batch from an empty cache while an {@link ImatrixCollector} records every matmul input. Like llama-imatrix
 * it also reports the perplexity of the second half of each chunk (a check that the model runs sensibly).
 */
public final class ImatrixComputation {

    /**
     * @param contextLength tokens per chunk (llama-imatrix -c)
     * @param chunks        at most this many chunks, or −1 for all
     * @param includeOutput also record output.weight (llama-imatrix --process-output)
     * @param threads       worker threads
     */
    public record Options(int contextLength, int chunks, boolean includeOutput, int threads) {
        public Options {
            if (contextLength < ImatrixCollector.MIN_TOKENS) {
                throw new LlmoptException("context length must be at least " + ImatrixCollector.MIN_TOKENS
                        + " tokens (shorter batches are ignored, as by llama-imatrix), got " + contextLength);
            }
            if (chunks == 0 || chunks < -1) {
                throw new LlmoptException("--chunks must be positive, got " + chunks);
            }
            if (threads < 1) {
                throw new LlmoptException("threads must be at least 1, got " + threads);
            }
        }
    }

    /** The matrix and what it was computed on. */
    public record Result(ImatrixFile file, int chunks, long textTokens, double perplexity, double seconds) {
    }

    /** Called after each chunk with the running perplexity. */
    @FunctionalInterface
    public interface Progress {
        void chunkDone(int chunk, int chunks, double perplexity);
    }

    private ImatrixComputation() {
    }

    public static Result compute(LoadedModel m, String text, String dataset, Options o, Progress progress) {
        long t0 = System.nanoTime();
        Tokenizer tok = m.tokenizer();
        int[] tokens = tok.encode(text, true, false);
        int n = o.contextLength();
        if (tokens.length < 2 * n) {
            throw new LlmoptException("the calibration text tokenizes to only " + tokens.length + " tokens; a context of "
                    + n + " needs at least " + 2 * n + " (use a longer text or a smaller -c)");
        }
        int available = tokens.length / n;
        int chunks = o.chunks() < 0 ? available : Math.min(o.chunks(), available);
        boolean addBos = tok.bos().isPresent() && tokens[0] == tok.bos().getAsInt();
        int vocab = m.config().vocabSize();
        ImatrixCollector collector = new ImatrixCollector(m.config().numLayers(), o.includeOutput());
        WorkerPool pool = new WorkerPool(o.threads());
        double nll = 0;
        long count = 0;
        try {
            LlamaModel model = new LlamaModel(m.config(), m.weights(), KernelProvider.get(), pool);
            model.setActivationObserver(collector);
            ForwardState state = model.newState(n, n);
            int[] chunk = new int[n];
            for (int c = 0; c < chunks; c++) {
                int start = c * n;
                System.arraycopy(tokens, start, chunk, 0, n);
                if (addBos) {
                    chunk[0] = tok.bos().getAsInt();
                }
                float[] logits = model.forward(state, chunk, 0, n, 0, true);
                for (int i = n / 2; i < n - 1; i++) {
                    nll -= logProbability(logits, i * vocab, vocab, tokens[start + i + 1]);
                    count++;
                }
                progress.chunkDone(c + 1, chunks, Math.exp(nll / count));
            }
        } finally {
            pool.shutdown();
        }
        return new Result(collector.toFile(chunks, dataset), chunks, tokens.length, Math.exp(nll / count),
                (System.nanoTime() - t0) / 1e9);
    }

    /** log softmax(logits[off .. off+vocab))[target], in double. */
    static double logProbability(float[] logits, int off, int vocab, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[off + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[off + v] - max);
        }
        return logits[off + target] - max - Math.log(sum);
    }
}
