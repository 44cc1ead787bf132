package io.llmopt.model.generate;

import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.sampling.Sampler;
import io.llmopt.model.sampling.StopSequences;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.StreamingDecoder;
import io.llmopt.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Autoregressive generation for one sequence: the prompt runs as one batch, then one token per step. Text is
 * streamed to the consumer as soon as it is complete UTF-8 and cannot be the start of a stop string.
 */
public final class Generator {
    private static final int PROMPT_BATCH = 512;

    private final LlamaModel model;
    private final Tokenizer tokenizer;

    public Generator(LlamaModel model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** Generates with a fresh cache of {@code contextLength} positions. */
    public GenerationResult generate(GenerationRequest request, int contextLength, Consumer<String> onText) {
        int prompt = request.promptTokens().length;
        if (prompt >= contextLength) {
            throw new LlmoptException("the prompt has " + prompt + " tokens but the context holds " + contextLength
                    + " (use a larger -c, up to the model's " + model.config().contextLength() + ", or a shorter prompt)");
        }
        ForwardState state = model.newState(Math.min(contextLength, prompt + request.maxTokens() + 1), PROMPT_BATCH);
        return generate(request, state, onText);
    }

    public GenerationResult generate(GenerationRequest request, ForwardState state, Consumer<String> onText) {
        int[] prompt = request.promptTokens();
        int vocab = model.config().vocabSize();
        Sampler sampler = new Sampler(request.sampling(), vocab);
        sampler.acceptPrompt(prompt);
        StreamingDecoder decoder = tokenizer.streamingDecoder();
        for (int t : prompt) { // the continuation is decoded mid-sequence (keeps e.g. SentencePiece's leading space)
            decoder.accept(t);
        }
        StopSequences stops = new StopSequences(request.stopStrings());
        StringBuilder text = new StringBuilder();
        int[] out = new int[request.maxTokens()];
        int[] one = new int[1];
        int n = 0;
        FinishReason finish = FinishReason.LENGTH;
        String stopString = null;

        long t0 = System.nanoTime();
        float[] logits = model.forward(state, prompt, 0, prompt.length, 0, false);
        long t1 = System.nanoTime();
        int pos = prompt.length;
        while (n < request.maxTokens()) {
            int token = sampler.sample(logits, vocab);
            sampler.accept(token);
            if (!request.ignoreEndOfGeneration() && tokenizer.isEndOfGeneration(token)) {
                finish = FinishReason.STOP;
                break;
            }
            out[n++] = token;
            StopSequences.Result r = stops.feed(decoder.accept(token));
            emit(r.text(), text, onText);
            if (r.stopped()) {
                finish = FinishReason.STOP;
                stopString = r.stop();
                break;
            }
            if (n == request.maxTokens() || pos >= state.contextLength()) {
                break;
            }
            one[0] = token;
            logits = model.forward(state, one, 0, 1, pos++, false);
        }
        long t2 = System.nanoTime();
        if (stopString == null) {
            StopSequences.Result r = stops.feed(decoder.flush());
            emit(r.text(), text, onText);
            if (r.stopped()) {
                finish = FinishReason.STOP;
                stopString = r.stop();
            } else {
                emit(stops.flush(), text, onText);
            }
        }
        return new GenerationResult(prompt, Arrays.copyOf(out, n), text.toString(), finish, stopString,
                sampler.seed(), t1 - t0, t2 - t1);
    }

    private static void emit(String piece, StringBuilder text, Consumer<String> onText) {
        if (piece != null && !piece.isEmpty()) {
            text.append(piece);
            onText.accept(piece);
        }
    }
}
