package io.llmopt.eval;

import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaModel;
import io.llmopt.tokenizer.Tokenizer;
import java.util.List;

/**
 * Perplexity of a model on a token sequence, computed as llama.cpp's {@code llama-perplexity} does (README
 * §3d of the shared data): the whole text tokenized once with BOS, n_chunk = n_tokens / ctx chunks, each
 * chunk's first token replaced by BOS, only positions ctx/2 .. ctx−2 scored (each predicting the next
 * token), PPL = exp(mean NLL) over all scored tokens. In stride mode it follows the Hugging Face
 * sliding-window recipe instead (see {@link ScoringWindow#strided}).
 *
 * <p>One instance runs once. {@link #snapshot()} may be called from another thread (a Ctrl-C hook) while
 * {@link #run} is scoring and returns the result of the chunks finished so far.
 */
public final class Perplexity {
    private final LlamaModel model;
    private final PerplexityOptions options;
    private final NllStats stats = new NllStats();
    private volatile int chunksDone;
    private volatile int chunksPlanned;
    private volatile long textTokens;
    private volatile long startNanos;
    private volatile long endNanos;

    public Perplexity(LlamaModel model, PerplexityOptions options) {
        this.model = model;
        this.options = options;
    }

    /** The whole text as llama-perplexity tokenizes it: the tokenizer's special tokens added (BOS), no special-token parsing. */
    public static int[] tokenize(Tokenizer tokenizer, String text) {
        return tokenizer.encode(text, true, false);
    }

    /**
     * The token llama.cpp writes over the first token of every chunk: the tokenizer's BOS when encoding adds
     * one (the tokens start with it), else −1 (chunks are left as they are, as llama.cpp does without add_bos).
     */
    public static int chunkBos(Tokenizer tokenizer, int[] tokens) {
        return tokenizer.bos().isPresent() && tokens.length > 0 && tokens[0] == tokenizer.bos().getAsInt()
                ? tokenizer.bos().getAsInt() : -1;
    }

    /** The windows this run scores for a text of nTokens tokens. */
    public List<ScoringWindow> plan(int nTokens, int bos) {
        return options.stride() == 0
                ? ScoringWindow.chunks(nTokens, options.contextLength(), options.maxChunks(), bos >= 0)
                : ScoringWindow.strided(nTokens, options.contextLength(), options.stride(), options.maxChunks());
    }

    public PerplexityOptions options() {
        return options;
    }

    /**
     * Scores {@code tokens}.
     *
     * @param bos      the token that replaces each chunk's first token, −1 for none (see {@link #chunkBos})
     * @param listener sees every scored position's logits (save / compare base log-probs)
     */
    public PerplexityResult run(int[] tokens, int bos, ScoredPositionListener listener, ProgressListener progress) {
        List<ScoringWindow> windows = plan(tokens.length, bos);
        int ctx = options.contextLength();
        int vocab = model.config().vocabSize();
        ForwardState state = model.newState(ctx, Math.min(options.batchSize(), ctx));
        int batch = state.maxBatch();
        int[] window = new int[ctx];
        textTokens = tokens.length;
        chunksPlanned = windows.size();
        startNanos = System.nanoTime();
        for (ScoringWindow w : windows) {
            System.arraycopy(tokens, w.start(), window, 0, w.length());
            if (w.bosFirst()) {
                window[0] = bos;
            }
            // The last token's logits would predict past the window: positions 0 .. length−2 suffice.
            int needed = w.length() - 1;
            if (w.firstScored() > 0) {
                model.forward(state, window, 0, w.firstScored(), 0, false);
            }
            double sum = 0;
            double sumSquares = 0;
            for (int p = w.firstScored(); p < needed; p += batch) {
                int n = Math.min(batch, needed - p);
                float[] logits = model.forward(state, window, p, n, p, true);
                for (int r = 0; r < n; r++) {
                    int offset = r * vocab;
                    int target = window[p + r + 1];
                    double lse = LogSoftmax.logSumExp(logits, offset, vocab);
                    double nll = lse - logits[offset + target];
                    sum += nll;
                    sumSquares += nll * nll;
                    listener.accept(logits, offset, vocab, target, lse);
                }
            }
            stats.add(sum, sumSquares, w.scoredCount());
            chunksDone++;
            progress.update(chunksDone, chunksPlanned, String.format("PPL %.4f", stats.perplexity()));
        }
        endNanos = System.nanoTime();
        return snapshot();
    }

    /** The result so far (complete once {@link #run} has returned). */
    public PerplexityResult snapshot() {
        long end = endNanos != 0 ? endNanos : System.nanoTime();
        double elapsed = startNanos == 0 ? 0 : (end - startNanos) / 1e9;
        return new PerplexityResult(options.mode(), options.contextLength(), options.stride(), chunksDone, chunksPlanned,
                stats.count(), textTokens, stats.perplexity(), stats.perplexityStderr(), stats.mean(), stats.meanStderr(),
                elapsed, endNanos != 0);
    }
}
