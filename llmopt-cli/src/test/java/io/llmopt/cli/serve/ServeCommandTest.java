package io.llmopt.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.cli.Main;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.paged.KvCacheType;
import io.llmopt.model.paged.PagedKvCache;
import io.llmopt.testkit.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code llmopt serve} and {@code llmopt loadtest} end to end, as registered in Main. */
class ServeCommandTest {

    record Run(int code, String out, String err) {}

    static CommandLine cli(StringWriter out, StringWriter err) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli;
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = cli(out, err).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpExplainsTheOptions() {
        Run r = run("serve", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("NAME=PATH", "--api-key", "--max-num-seqs", "--kv-cache-gb", "--request-timeout", "/v1/chat/completions");
        assertThat(r.out().replaceAll("\\s+", " ")).contains("--kv-cache-type", "f32, f16", "q8_0", "3.76x");
        assertThat(run("loadtest", "--help").out()).contains("--concurrency", "--prompt-len", "TTFT");
    }

    @Test
    void badInputIsOneLineErrors() {
        Run r = run("serve", "-m", "=x.gguf");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("error: ").doesNotContain("\n").contains("name");
        r = run("serve", "-m", "a=/nonexistent/model.gguf", "--port", "0");
        assertThat(r.err().strip()).startsWith("error: ").contains("/nonexistent/model.gguf").doesNotContain("\n");
        r = run("loadtest", "--url", "ftp://x", "--model", "m");
        assertThat(r.err().strip()).startsWith("error: ").contains("--url");
        r = run("serve", "-m", "x.gguf", "--kv-cache-blocks", "4", "--kv-cache-gb", "1");
        assertThat(r.code()).isEqualTo(1);
        r = run("serve", "-m", "x.gguf", "--kv-cache-type", "q4_0");
        assertThat(r.err().strip()).startsWith("error: ").contains("--kv-cache-type", "q4_0", "f32, f16 or q8_0").doesNotContain("\n");
        r = run("serve", "-m", "x.gguf", "--warmup", "-1");
        assertThat(r.err().strip()).startsWith("error: ").contains("--warmup", "-1").doesNotContain("\n");
    }

    @Test
    void q8CacheTakes34BytesPer32ValuesOfTheBudget() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/ref-tinystories/ref-tinystories-Q4_K_M.gguf"))) {
            ServeCommand f32 = new ServeCommand();
            f32.kvCacheGb = 0.0625;
            ServeCommand q8 = new ServeCommand();
            q8.kvCacheGb = 0.0625;
            q8.kvCacheType = "q8_0";
            int ctx = m.config().contextLength();
            long perBlock = PagedKvCache.bytesPerBlock(m.config(), q8.blockSize, KvCacheType.Q8_0);
            assertThat((long) q8.kvBlocks(m, ctx)).isEqualTo((64L << 20) / perBlock);
            assertThat((double) q8.kvBlocks(m, ctx) / f32.kvBlocks(m, ctx)).isCloseTo(128.0 / 34, org.assertj.core.data.Offset.offset(0.01));
        }
    }

    @Test
    void servesAndLoadtests(@TempDir Path dir) throws Exception {
        Path model = SharedData.require("models/stories260K/stories260K-f32.gguf");
        Path template = dir.resolve("chat.jinja");
        Files.writeString(template, "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + '\\n' }}{% endfor %}assistant:");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = cli(out, err);
        AtomicInteger code = new AtomicInteger(-1);
        Thread serve = Thread.ofPlatform().start(() -> code.set(cli.execute("serve", "-m", "tiny=" + model, "-m", model.toString(),
                "--port", "0", "-t", "1", "--max-num-seqs", "4", "--chat-template", template.toString(), "--kv-cache-type", "f16")));
        Pattern url = Pattern.compile("listening on (http://\\S+)/v1");
        Matcher m = url.matcher("");
        long end = System.nanoTime() + 30_000_000_000L;
        while (!(m = url.matcher(out.toString())).find() && serve.isAlive() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(m.find(0)).as(out + " " + err).isTrue();
        String base = m.group(1);
        assertThat(out.toString()).contains("tiny", "stories260K-f32.gguf", "f16 KV blocks", "warm-up (2 requests");
        try {
            Run lt = run("loadtest", "--url", base, "--model", "stories260K-f32.gguf", "--concurrency", "3", "--requests", "6",
                    "--prompt-len", "8", "--max-tokens", "8", "--json");
            assertThat(lt.code()).as(lt.out() + lt.err()).isZero();
            JsonNode report = new ObjectMapper().readTree(lt.out());
            assertThat(report.get("completed").asInt()).isEqualTo(6);
            assertThat(report.get("total_output_tokens").asInt()).isEqualTo(48);
            Run chat = run("loadtest", "--url", base, "--model", "tiny", "--chat", "--concurrency", "2", "--requests", "2",
                    "--prompt-len", "8", "--max-tokens", "4");
            assertThat(chat.code()).as(chat.out() + chat.err()).isZero();
            assertThat(chat.out()).contains("successful requests", "TTFT (ms)");
        } finally {
            serve.interrupt();
            serve.join(30_000);
        }
        assertThat(serve.isAlive()).isFalse();
        assertThat(code.get()).isZero();
    }
}
