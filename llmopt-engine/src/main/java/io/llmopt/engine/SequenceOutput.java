package io.llmopt.engine;

import io.llmopt.model.sampling.Sampler;
import io.llmopt.model.sampling.StopSequences;
import io.llmopt.model.sampling.TopLogprobs;
import io.llmopt.tokenizer.StreamingDecoder;
import io.llmopt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one sequence's logits into its output, exactly as {@code io.llmopt.model.generate.Generator} does for a
 * single sequence: sample (the prompt counts for penalties), stop at an end-of-generation token unless ignored,
 * stream UTF-8-safe text that holds back a possible stop string, and at the end flush what was held back.
 * Built on the submitting thread (so bad stop strings or logit biases fail the submit), then used by the engine
 * thread only.
 */
final class SequenceOutput {
    private final Tokenizer tokenizer;
    private final Sampler sampler;
    private final StreamingDecoder decoder;
    private final StopSequences stops;
    private final TopLogprobs top; // null when logprobs were not requested
    private final int topN;
    private final boolean ignoreEos;

    /** How the text ended: held-back text to flush and the stop string found while flushing (or null). */
    record Ending(String trailingText, String stopString) {}

    SequenceOutput(EngineRequest request, Tokenizer tokenizer, int vocabSize) {
        this.tokenizer = tokenizer;
        this.stops = new StopSequences(request.stopStrings());
        this.sampler = new Sampler(request.sampling(), vocabSize);
        this.sampler.acceptPrompt(request.promptTokens());
        this.decoder = tokenizer.streamingDecoderAfter(request.promptTokens(), false);
        this.topN = request.topLogprobs();
        this.top = topN >= 0 ? new TopLogprobs(topN) : null;
        this.ignoreEos = request.ignoreEos();
    }

    /** Samples the next token from {@code logits[0..vocab)} and adds it to the penalty history. */
    int sample(float[] logits, int vocab) {
        int token = sampler.sample(logits, vocab);
        sampler.accept(token);
        return token;
    }

    boolean endsGeneration(int token) {
        return !ignoreEos && tokenizer.isEndOfGeneration(token);
    }

    /** The token as streamed: its released text and, when requested, log-probabilities of the raw logits. */
    GeneratedToken emit(int token, float[] logits, int vocab, StopSequences.Result text) {
        if (top == null) {
            return new GeneratedToken(token, text.text(), Float.NaN, List.of());
        }
        top.compute(logits, vocab, topN);
        List<GeneratedToken.TokenLogprob> alternatives = new ArrayList<>(top.size());
        for (int i = 0; i < top.size(); i++) {
            int id = top.token(i);
            alternatives.add(new GeneratedToken.TokenLogprob(id, tokenizer.decode(new int[] {id}, false), top.logprob(i)));
        }
        return new GeneratedToken(token, text.text(), top.logprobOf(logits, token), List.copyOf(alternatives));
    }

    /** Feeds a generated token's text through the decoder and the stop strings. */
    StopSequences.Result feed(int token) {
        return stops.feed(decoder.accept(token));
    }

    /** Ends the text without a stop string so far: releases what the decoder and the stop matcher held back. */
    Ending finish() {
        StopSequences.Result r = stops.feed(decoder.flush());
        if (r.stopped()) {
            return new Ending(r.text(), r.stop());
        }
        return new Ending(r.text() + stops.flush(), null);
    }
}
