package io.llmopt.eval.mc;

import io.llmopt.eval.LogSoftmax;
import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaModel;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * log P(continuation | context) for the choices of an item, as lm-evaluation-harness's loglikelihood
 * requests: trailing whitespace of the context moves to the continuation; the continuation's tokens are
 * those of encode(context + continuation) after the tokens of encode(context) (so a word is tokenized as it
 * would be in running text); both encodings add the tokenizer's BOS (as llama.cpp's own hellaswag
 * scorer does — models like TinyStories' were trained with it); a too long request loses tokens from the
 * left of the context. Choices that share the context tokens reuse its KV cache: the context runs once.
 */
final class ContinuationScorer {
    private final LlamaModel model;
    private final Tokenizer tokenizer;
    private final ForwardState state;
    private final int contextLength;
    private final float[] lastContextLogits;
    private final Map<String, Double> unconditionalCache = new java.util.HashMap<>();

    /** Token ids of one request: the context and the continuation to score after it. */
    record Encoded(int[] context, int[] continuation) {
    }

    ContinuationScorer(LlamaModel model, Tokenizer tokenizer, int contextLength, int batch) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.state = model.newState(contextLength, Math.min(batch, contextLength));
        this.lastContextLogits = new float[model.config().vocabSize()];
    }

    Encoded encode(String context, String continuation) {
        int keep = context.length();
        while (keep > 0 && Character.isWhitespace(context.charAt(keep - 1))) {
            keep--;
        }
        continuation = context.substring(keep) + continuation;
        context = context.substring(0, keep);
        int[] whole = tokenizer.encode(context + continuation, true, false);
        int[] ctx = tokenizer.encode(context, true, false);
        if (ctx.length == 0) {
            int start = tokenizer.bos().orElse(tokenizer.eos().orElse(-1));
            if (start < 0) {
                throw new LlmoptException("an empty context needs a BOS or EOS token to condition on; the tokenizer has neither");
            }
            ctx = new int[] {start};
            whole = concat(ctx, whole);
        }
        int common = 0;
        while (common < ctx.length && common < whole.length && ctx[common] == whole[common]) {
            common++;
        }
        // Normally ctx is a prefix of whole. When the boundary merges into one token, split where they diverge.
        int split = common == ctx.length ? ctx.length : Math.max(1, common);
        int[] cont = Arrays.copyOfRange(whole, split, whole.length);
        if (cont.length == 0) {
            throw new LlmoptException("the continuation '" + continuation + "' encodes to no tokens after its context");
        }
        return new Encoded(Arrays.copyOf(whole, split), cont);
    }

    /**
     * log P(answer | BOS) of each choice's bare answer (its {@code normText}, no delimiter), the harness's
     * "unconditional" request for acc_mutual_info; cached by text, since tasks reuse answers.
     */
    double[] unconditional(McItem item) {
        double[] out = new double[item.choices().size()];
        for (int i = 0; i < out.length; i++) {
            String answer = item.choices().get(i).normText();
            Double cached = unconditionalCache.get(answer);
            if (cached == null) {
                Encoded e = encode("", answer);
                cached = scoreGroup(item.id(), e.context(), List.of(e.continuation()))[0];
                unconditionalCache.put(answer, cached);
            }
            out[i] = cached;
        }
        return out;
    }

    /** Sum of log-probs of each choice's continuation tokens, in choice order. */
    double[] score(McItem item) {
        List<McChoice> choices = item.choices();
        double[] out = new double[choices.size()];
        Map<String, List<Integer>> byContext = new LinkedHashMap<>();
        List<Encoded> encoded = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            Encoded e = encode(choices.get(i).context(), choices.get(i).continuation());
            encoded.add(e);
            byContext.computeIfAbsent(Arrays.toString(e.context()), k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> group : byContext.values()) {
            List<int[]> continuations = new ArrayList<>();
            for (int i : group) {
                continuations.add(encoded.get(i).continuation());
            }
            double[] scores = scoreGroup(item.id(), encoded.get(group.get(0)).context(), continuations);
            for (int g = 0; g < group.size(); g++) {
                out[group.get(g)] = scores[g];
            }
        }
        return out;
    }

    /** Runs the context once, then scores each continuation after it (reusing the context's cache). */
    private double[] scoreGroup(String itemId, int[] ctx, List<int[]> continuations) {
        int longest = 0;
        for (int[] c : continuations) {
            longest = Math.max(longest, c.length);
        }
        if (longest >= contextLength) {
            throw new LlmoptException("item " + itemId + ": an answer of " + longest + " tokens does not fit in the context of "
                    + contextLength + " tokens (use a larger -c)");
        }
        int drop = Math.max(0, ctx.length + longest - contextLength);
        ctx = Arrays.copyOfRange(ctx, drop, ctx.length);
        float[] last = model.forward(state, ctx, 0, ctx.length, 0, false);
        System.arraycopy(last, 0, lastContextLogits, 0, lastContextLogits.length);
        double lseContext = LogSoftmax.logSumExp(lastContextLogits, 0, lastContextLogits.length);
        double[] out = new double[continuations.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = continuationLogprob(ctx.length, continuations.get(i), lseContext);
        }
        return out;
    }

    /** The context occupies cache positions 0 .. contextTokens−1 (later positions are overwritten freely). */
    private double continuationLogprob(int contextTokens, int[] cont, double lseContext) {
        int vocab = lastContextLogits.length;
        double sum = lastContextLogits[cont[0]] - lseContext;
        int batch = state.maxBatch();
        // Feeding cont[0 .. n−2] yields the logits that predict cont[1 .. n−1].
        for (int p = 0; p < cont.length - 1; p += batch) {
            int n = Math.min(batch, cont.length - 1 - p);
            float[] logits = model.forward(state, cont, p, n, contextTokens + p, true);
            for (int r = 0; r < n; r++) {
                int offset = r * vocab;
                sum += logits[offset + cont[p + r + 1]] - LogSoftmax.logSumExp(logits, offset, vocab);
            }
        }
        return sum;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
