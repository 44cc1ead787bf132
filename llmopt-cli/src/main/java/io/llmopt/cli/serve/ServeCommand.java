package io.llmopt.cli.serve;

import io.llmopt.engine.BatchingEngine;
import io.llmopt.engine.EngineConfig;
import io.llmopt.engine.EngineWarmUp;
import io.llmopt.engine.InferenceEngine;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.cli.SparseOptions;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.paged.KvCacheType;
import io.llmopt.model.paged.PagedKvCache;
import io.llmopt.server.OpenAiServer;
import io.llmopt.server.ServedModel;
import io.llmopt.server.ServerConfig;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.ChatTemplate;
import io.llmopt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmopt serve}: an OpenAI-compatible HTTP server for one or more models. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve models over an OpenAI-compatible HTTP API with continuous batching.",
            "Endpoints: GET /v1/models, POST /v1/completions, POST /v1/chat/completions (stream: true for SSE),",
            "GET /health, GET /metrics (Prometheus), POST /tokenize, POST /detokenize. Ctrl-C stops gracefully."},
        footer = {"", "Examples:",
            "  llmopt serve -m stories=models/stories260K.gguf --port 8080",
            "  llmopt serve -m small=a.gguf -m big=b.gguf --api-key sk-local --max-num-seqs 32 --kv-cache-gb 2"})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "NAME=PATH",
            description = "a model to serve (GGUF, HF directory or llama2.c .bin), chosen by the request's \"model\"; "
                    + "repeat for several; a bare PATH is served under its file name")
    List<String> models = new ArrayList<>();

    @Option(names = "--host", paramLabel = "HOST", description = "interface to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all)")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", description = "TCP port (default: ${DEFAULT-VALUE}; 0 = any free port)")
    int port = 8080;

    @Option(names = "--api-key", paramLabel = "KEY", description = "require 'Authorization: Bearer KEY' on /v1 and /tokenize routes")
    String apiKey;

    @Option(names = "--max-num-seqs", paramLabel = "N", description = "sequences batched together at most (default: ${DEFAULT-VALUE})")
    int maxNumSeqs = 16;

    @Option(names = "--max-batched-tokens", paramLabel = "N", description = "tokens per engine step at most (prefill chunks + decodes; default: ${DEFAULT-VALUE})")
    int maxBatchedTokens = 512;

    @Option(names = "--kv-cache-blocks", paramLabel = "N", description = "KV cache blocks per model (default: room for every sequence at full context, at most a quarter of the heap)")
    Integer kvCacheBlocks;

    @Option(names = "--kv-cache-gb", paramLabel = "G", description = "KV cache size per model in GiB (instead of --kv-cache-blocks)")
    Double kvCacheGb;

    @Option(names = "--kv-cache-type", paramLabel = "TYPE",
            description = "how the KV cache stores keys and values: f32, f16 (half the memory, so twice the blocks "
                    + "for the same --kv-cache-gb; logits move by ~1e-2) or q8_0 (8-bit blocks of 32 with an f16 scale, "
                    + "as llama.cpp: 34 bytes per 32 values, 3.76x the f32 blocks; logits move by ~5e-2; the kv dim must be "
                    + "a multiple of 32); default: ${DEFAULT-VALUE}")
    String kvCacheType = "f32";

    @Option(names = "--block-size", paramLabel = "N", description = "positions per KV block (default: ${DEFAULT-VALUE})")
    int blockSize = 16;

    @Option(names = "--max-queue", paramLabel = "N", description = "waiting requests per model before answering 429 (default: ${DEFAULT-VALUE})")
    int maxQueue = 256;

    @Option(names = "--request-timeout", paramLabel = "S", description = "cancel a generation after S seconds and answer with what it has (default: 0 = none)")
    double requestTimeout;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", description = "context per sequence (default: the model's)")
    int contextSize;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "kernel threads per model (default: all cores, ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--no-prefix-cache", description = "do not reuse KV blocks of shared prompt prefixes")
    boolean noPrefixCache;

    @Option(names = "--warmup", paramLabel = "N", description = "before listening, run N concurrent short greedy requests "
            + "per model so the JIT compiles the kernels before the first client (0 = off; default: ${DEFAULT-VALUE})")
    int warmup = 2;

    @Option(names = "--chat-template", paramLabel = "FILE", description = "a Jinja chat template for every model (overrides the models' own)")
    Path chatTemplate;

    @Option(names = "--shutdown-grace", paramLabel = "S", description = "on Ctrl-C, let running requests finish for S seconds (default: ${DEFAULT-VALUE})")
    double shutdownGrace = 10;

    @picocli.CommandLine.Mixin
    SparseOptions sparse = new SparseOptions();

    @Option(names = "--verbose", description = "print stack traces for errors")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ServerConfig config = new ServerConfig(host, port, apiKey, seconds("--request-timeout", requestTimeout),
                ServerConfig.DEFAULT_MAX_BODY_BYTES, seconds("--shutdown-grace", shutdownGrace));
        KvCacheType.parse(kvCacheType); // a bad value fails before any model is loaded
        String template = null;
        if (chatTemplate != null) {
            if (!Files.isRegularFile(chatTemplate)) {
                throw new LlmoptException("--chat-template " + chatTemplate + ": no such file");
            }
            template = Files.readString(chatTemplate);
        }
        List<ModelSpec> specs = models.stream().map(ModelSpec::parse).toList();
        List<ServedModel> served = new ArrayList<>();
        OpenAiServer server;
        try {
            for (ModelSpec m : specs) {
                served.add(load(m, template, out));
            }
            server = OpenAiServer.start(config, served);
        } catch (RuntimeException e) {
            served.forEach(s -> s.engine().close());
            throw e;
        }
        Thread hook = new Thread(server::close, "llmopt-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("llmopt serve: listening on %s/v1  (models: %s)%n", server.baseUri(),
                String.join(", ", served.stream().map(ServedModel::name).toList()));
        out.flush();
        boolean interrupted = false;
        try {
            server.join();
        } catch (InterruptedException e) {
            interrupted = true; // stop serving; the flag is restored after the graceful shutdown below
        }
        server.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or ran: nothing to remove
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        out.println("llmopt serve: stopped");
        return 0;
    }

    private ServedModel load(ModelSpec m, String template, PrintWriter out) {
        if (warmup < 0) {
            throw new LlmoptException("--warmup must be >= 0, got " + warmup);
        }
        LoadedModel loaded = ModelLoader.load(m.path());
        InferenceEngine engine;
        try {
            loaded = sparse.apply(loaded, spec.commandLine().getErr());
            int ctx = contextSize > 0 ? contextSize : loaded.config().contextLength();
            if (contextSize < 0) {
                throw new LlmoptException("-c/--ctx-size must be >= 0, got " + contextSize);
            }
            KvCacheType type = KvCacheType.parse(kvCacheType);
            int blocks = kvBlocks(loaded, ctx);
            EngineConfig ec = new EngineConfig(maxNumSeqs, maxBatchedTokens, blocks, blockSize, maxQueue, ctx, !noPrefixCache,
                    threads, type);
            engine = BatchingEngine.start(loaded, ec);
            out.printf(Locale.ROOT, "model %s: %s, context %d, %d %s KV blocks of %d (%.1f MiB)%n", m.name(), m.path(), ctx, blocks,
                    type, blockSize, blocks * (double) PagedKvCache.bytesPerBlock(loaded.config(), blockSize, type) / (1 << 20));
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
        if (warmup > 0) {
            try {
                long ms = EngineWarmUp.run(engine, warmup, 32, 16, 600);
                out.printf(Locale.ROOT, "model %s: warm-up (%d requests of 32 + 16 tokens) %d ms%n", m.name(), warmup, ms);
            } catch (RuntimeException e) {
                engine.close(); // closes the model too
                throw e;
            }
        }
        ServedModel served = ServedModel.of(m.name(), engine);
        if (template != null) {
            Tokenizer t = loaded.tokenizer();
            String bos = t.bos().isPresent() ? t.piece(t.bos().getAsInt()) : "";
            String eos = t.eos().isPresent() ? t.piece(t.eos().getAsInt()) : "";
            served = served.withChatTemplate(new ChatTemplate(template, bos, eos));
        }
        return served;
    }

    /** --kv-cache-blocks, or --kv-cache-gb converted, or every sequence at full context capped at a quarter of the heap. */
    int kvBlocks(LoadedModel model, int ctx) {
        if (kvCacheBlocks != null && kvCacheGb != null) {
            throw new LlmoptException("give either --kv-cache-blocks or --kv-cache-gb, not both");
        }
        if (blockSize <= 0) {
            throw new LlmoptException("--block-size must be positive, got " + blockSize);
        }
        long perBlock = PagedKvCache.bytesPerBlock(model.config(), blockSize, KvCacheType.parse(kvCacheType));
        int perSequence = (ctx + blockSize - 1) / blockSize;
        if (kvCacheBlocks != null) {
            return kvCacheBlocks;
        }
        if (kvCacheGb != null) {
            if (!(kvCacheGb > 0) || Double.isInfinite(kvCacheGb)) {
                throw new LlmoptException("--kv-cache-gb must be a positive number, got " + kvCacheGb);
            }
            long blocks = (long) (kvCacheGb * (1L << 30) / perBlock);
            if (blocks < 1 || blocks > Integer.MAX_VALUE) {
                throw new LlmoptException("--kv-cache-gb " + kvCacheGb + " gives " + blocks + " blocks of " + perBlock + " bytes; choose a size between "
                        + perBlock + " bytes and " + Integer.MAX_VALUE + " blocks");
            }
            return (int) blocks;
        }
        long wanted = (long) Math.max(1, maxNumSeqs) * perSequence;
        long cap = Math.max(perSequence, Runtime.getRuntime().maxMemory() / 4 / perBlock);
        return (int) Math.min(Integer.MAX_VALUE, Math.min(wanted, cap));
    }

    private static Duration seconds(String option, double s) {
        if (!(s >= 0) || Double.isInfinite(s)) {
            throw new LlmoptException(option + " must be a number of seconds >= 0, got " + s);
        }
        return Duration.ofNanos((long) (s * 1e9));
    }
}
