package io.llmopt.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmopt.engine.Completion;
import io.llmopt.engine.EngineRequest;
import io.llmopt.engine.GeneratedToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * POST /v1/completions and /v1/chat/completions: validates, checks the context limit, submits one engine request
 * per choice and answers with one JSON response or a server-sent event stream.
 */
final class GenerationEndpoint {
    private static final long STREAM_IDLE_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final ServerConfig config;
    private final ServerMetrics metrics;

    GenerationEndpoint(ServerConfig config, ServerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    void completions(HttpExchange x, Fields f, ServedModel model, long arrival) throws IOException {
        GenerationOptions o = GenerationOptions.parse(f, false);
        if (f.bool("echo", false)) {
            throw ApiException.badRequest("echo", "'echo' is not supported");
        }
        List<int[]> prompts = Prompts.completionPrompts(f.node("prompt"), model.tokenizer());
        generate(x, model, new ApiShape.Completions(), prompts, o, arrival);
    }

    void chat(HttpExchange x, Fields f, ServedModel model, long arrival) throws IOException {
        GenerationOptions o = GenerationOptions.parse(f, true);
        int[] prompt = Prompts.chatPrompt(f.node("messages"), model, true);
        generate(x, model, new ApiShape.Chat(), List.of(prompt), o, arrival);
    }

    private void generate(HttpExchange x, ServedModel model, ApiShape shape, List<int[]> prompts, GenerationOptions o,
            long arrival) throws IOException {
        int ctx = model.contextLength();
        int vocab = model.tokenizer().vocabSize();
        for (int id : o.sampling().logitBias().keySet()) {
            if (id >= vocab) {
                throw ApiException.badRequest("logit_bias", "'logit_bias' token " + id + " is outside the vocabulary (size " + vocab + ")");
            }
        }
        List<EngineRequest> requests = new ArrayList<>();
        List<ChoiceOutput> choices = new ArrayList<>();
        int[] promptLengths = new int[prompts.size()];
        for (int p = 0; p < prompts.size(); p++) {
            int[] prompt = prompts.get(p);
            promptLengths[p] = prompt.length;
            int maxTokens = maxTokens(prompt.length, o, ctx);
            for (int i = 0; i < o.n(); i++) {
                choices.add(new ChoiceOutput(choices.size(), p));
                requests.add(new EngineRequest(prompt, maxTokens, o.samplingFor(i), o.stop(), o.topLogprobs(), o.ignoreEos()));
            }
        }
        GenerationRun run = GenerationRun.submit(model.engine(), requests);
        x.guardGeneration(run::cancel);
        String id = shape.idPrefix() + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        long deadline = config.hasTimeout() ? arrival + config.requestTimeout().toNanos() : Long.MAX_VALUE;
        Recorder recorder = new Recorder(model.name(), arrival, choices, x);
        try {
            if (o.stream()) {
                stream(x, model, shape, o, run, choices, recorder, promptLengths, id, created, deadline);
            } else {
                run.drain(recorder, deadline, Long.MAX_VALUE);
                ObjectNode body = envelope(id, shape.object(), created, model.name());
                ArrayNode arr = body.putArray("choices");
                for (ChoiceOutput c : choices) {
                    arr.add(shape.choice(c, o.topLogprobs() >= 0, model.tokenText()));
                }
                body.set("usage", Usage.of(choices, promptLengths).json());
                x.sendJson(200, body);
            }
        } finally {
            recorder.done(Usage.of(choices, promptLengths));
        }
    }

    /** The token budget: max_tokens, or what the context leaves; 400 when it cannot fit. */
    static int maxTokens(int promptLength, GenerationOptions o, int ctx) {
        if (promptLength >= ctx) {
            throw ApiException.badRequest("prompt", "this model's maximum context length is "
                    + ctx + " tokens, but the prompt has " + promptLength + " tokens (no room to generate)");
        }
        if (o.maxTokens().isEmpty()) {
            return ctx - promptLength;
        }
        int max = o.maxTokens().getAsInt();
        if ((long) promptLength + max > ctx) {
            throw ApiException.badRequest("max_tokens", "this model's maximum context length is " + ctx + " tokens; the prompt has "
                    + promptLength + " tokens and max_tokens is " + max + " (" + promptLength + " + " + max + " > " + ctx
                    + "); lower max_tokens to at most " + (ctx - promptLength));
        }
        return max;
    }

    private void stream(HttpExchange x, ServedModel model, ApiShape shape, GenerationOptions o, GenerationRun run,
            List<ChoiceOutput> choices, Recorder recorder, int[] promptLengths, String id, long created, long deadline)
            throws IOException {
        boolean logprobs = o.topLogprobs() >= 0;
        TokenText names = model.tokenText();
        GenerationRun.Listener writer = new GenerationRun.Listener() {
            @Override
            public void onToken(int choice, GeneratedToken token, long nanos) throws IOException {
                recorder.onToken(choice, token, nanos);
                if (token.text().isEmpty() && !logprobs) {
                    return; // held back (partial UTF-8 or a possible stop string): nothing to show yet
                }
                ChoiceOutput c = choices.get(choice);
                int offset = c.text.length() - token.text().length();
                send(shape.chunkChoice(choice, token.text(), logprobs ? List.of(token) : null, null, offset, names));
            }

            @Override
            public void onFinish(int choice, Completion completion, boolean timedOut, long nanos) throws IOException {
                recorder.onFinish(choice, completion, timedOut, nanos);
                ChoiceOutput c = choices.get(choice);
                send(shape.chunkChoice(choice, completion.trailingText(), null, c.finishReason, c.text.length(), names));
            }

            @Override
            public void onIdle() throws IOException {
                x.sendComment("keep-alive");
            }

            @Override
            public void onProbe() throws IOException {
                probe(x);
            }

            private void send(ObjectNode choice) throws IOException {
                ObjectNode chunk = envelope(id, shape.chunkObject(), created, model.name());
                chunk.putArray("choices").add(choice);
                if (o.includeUsage()) {
                    chunk.putNull("usage");
                }
                x.sendEvent(chunk);
            }
        };
        try {
            x.startEvents();
            for (ChoiceOutput c : choices) {
                ObjectNode opening = shape.openingChunkChoice(c.index);
                if (opening != null) {
                    ObjectNode chunk = envelope(id, shape.chunkObject(), created, model.name());
                    chunk.putArray("choices").add(opening);
                    if (o.includeUsage()) {
                        chunk.putNull("usage");
                    }
                    x.sendEvent(chunk);
                }
            }
            run.drain(writer, deadline, STREAM_IDLE_NANOS);
            if (o.includeUsage()) {
                ObjectNode last = envelope(id, shape.chunkObject(), created, model.name());
                last.putArray("choices");
                last.set("usage", Usage.of(choices, promptLengths).json());
                x.sendEvent(last);
            }
            x.endEvents();
        } catch (IOException e) {
            run.cancel();
            x.abort(e);
        } catch (GenerationRun.EngineFailure e) {
            ObjectNode err = Fields.MAPPER.createObjectNode();
            err.set("error", ApiHandler.errorJson(new ApiException(500, "server_error", null, "engine_error", e.getMessage(), -1)));
            try {
                x.sendEvent(err);
                x.endEvents();
            } catch (IOException io) {
                x.abort(io);
            }
        }
    }

    /** A closed connection ends the generation (a non-streamed answer would otherwise run to max_tokens for nobody). */
    private static void probe(HttpExchange x) throws IOException {
        if (x.clientGone()) {
            throw new IOException("the client closed the connection");
        }
    }

    static ObjectNode envelope(String id, String object, long created, String model) {
        ObjectNode o = Fields.MAPPER.createObjectNode();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", model);
        return o;
    }

    /** Accumulates choice output and records token timings (TTFT, inter-token latency) on the request thread. */
    private final class Recorder implements GenerationRun.Listener {
        private final String model;
        private final long arrival;
        private final List<ChoiceOutput> choices;
        private final HttpExchange exchange;
        private boolean firstToken;

        Recorder(String model, long arrival, List<ChoiceOutput> choices, HttpExchange exchange) {
            this.model = model;
            this.arrival = arrival;
            this.choices = choices;
            this.exchange = exchange;
        }

        @Override
        public void onProbe() throws IOException {
            probe(exchange);
        }

        @Override
        public void onToken(int choice, GeneratedToken token, long nanos) {
            ChoiceOutput c = choices.get(choice);
            if (!firstToken) {
                firstToken = true;
                metrics.timeToFirstToken(model, nanos - arrival);
            }
            if (c.lastTokenNanos != 0) {
                metrics.interTokenLatency(model, nanos - c.lastTokenNanos);
            }
            c.lastTokenNanos = nanos;
            c.text.append(token.text());
            c.tokens.add(token);
        }

        @Override
        public void onFinish(int choice, Completion completion, boolean timedOut, long nanos) {
            choices.get(choice).finish(completion, timedOut);
        }

        void done(Usage usage) {
            metrics.tokens(model, usage.promptTokens(), usage.completionTokens());
            metrics.endToEnd(model, System.nanoTime() - arrival);
        }
    }
}
