package io.llmopt.cli.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.server.loadtest.LoadTest;
import io.llmopt.server.loadtest.LoadTestConfig;
import io.llmopt.server.loadtest.LoadTestReport;
import io.llmopt.tensor.LlmoptException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmopt loadtest}: streaming load against an OpenAI-compatible server, like {@code vllm bench serve}. */
@Command(name = "loadtest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send streaming requests with synthetic prompts from concurrent clients and report throughput,",
            "time to first token (TTFT), inter-token latency (ITL) and end-to-end latency percentiles.",
            "Works against llmopt serve and other OpenAI-compatible servers (llama.cpp's llama-server)."},
        footer = {"", "Example:", "  llmopt loadtest --url http://127.0.0.1:8080 --model stories --concurrency 8 --requests 64 --prompt-len 128 --max-tokens 128"})
public final class LoadtestCommand implements Callable<Integer> {
    @Option(names = "--url", required = true, paramLabel = "URL", description = "server base URL, e.g. http://127.0.0.1:8080")
    String url;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "the \"model\" to request")
    String model;

    @Option(names = "--concurrency", paramLabel = "C", description = "clients sending at once (default: ${DEFAULT-VALUE})")
    int concurrency = 8;

    @Option(names = "--requests", paramLabel = "R", description = "requests in total (default: ${DEFAULT-VALUE})")
    int requests = 64;

    @Option(names = "--prompt-len", paramLabel = "L", description = "synthetic prompt length in tokens (default: ${DEFAULT-VALUE})")
    int promptLength = 128;

    @Option(names = "--max-tokens", paramLabel = "N", description = "tokens generated per request, EOS ignored (default: ${DEFAULT-VALUE})")
    int maxTokens = 128;

    @Option(names = "--chat", description = "use /v1/chat/completions (prompt length approximate) instead of /v1/completions")
    boolean chat;

    @Option(names = "--api-key", paramLabel = "KEY", description = "sent as 'Authorization: Bearer KEY'")
    String apiKey;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the synthetic prompts (default: random, so that runs do not share prompts through the prefix cache)")
    Long seed;

    @Option(names = "--timeout", paramLabel = "S", description = "per-request timeout in seconds (default: ${DEFAULT-VALUE})")
    int timeout = 600;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new LlmoptException("--url " + url + " is not a URL: " + e.getMessage());
        }
        if (timeout <= 0) {
            throw new LlmoptException("--timeout must be positive, got " + timeout);
        }
        LoadTestConfig config = new LoadTestConfig(uri, model, concurrency, requests, promptLength, maxTokens, chat, apiKey,
                seed != null ? seed : System.nanoTime(),
                Duration.ofSeconds(timeout));
        LoadTestReport report = new LoadTest(config).run(done -> {
            if (!json && (done % Math.max(1, requests / 10) == 0 || done == requests)) {
                err.printf("\r%d/%d requests", done, requests);
                err.flush();
            }
        });
        if (!json) {
            err.println();
            out.print(report.toText());
        } else {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report.toJson()));
        }
        out.flush();
        return report.failed() == 0 ? 0 : 1;
    }
}
