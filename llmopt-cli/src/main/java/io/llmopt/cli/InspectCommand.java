package io.llmopt.cli;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.Tensor;
import io.llmopt.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code llmopt inspect}: what a model file holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show a model's architecture, hyper-parameters, tensors, tokenizer and chat template.")
final class InspectCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelFileOptions file;

    @Option(names = "--metadata", description = "also list every metadata key (GGUF) or config field")
    boolean metadata;

    @Option(names = "--json", description = "JSON output")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel m = ModelLoader.load(file.model(), file.tokenizer)) {
            Map<String, Object> report = report(m);
            if (json) {
                out.println(Json.write(report));
            } else {
                print(out, m, report);
            }
            out.flush();
        }
        return 0;
    }

    private Map<String, Object> report(LoadedModel m) {
        LlamaConfig c = m.config();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("path", m.path().toString());
        r.put("format", m.format());
        r.put("file_bytes", m.fileBytes());
        r.put("architecture", c.architecture());
        r.put("parameters", c.parameterCount());
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("hidden_size", c.hiddenSize());
        hp.put("intermediate_size", c.intermediateSize());
        hp.put("num_layers", c.numLayers());
        hp.put("num_heads", c.numHeads());
        hp.put("num_kv_heads", c.numKvHeads());
        hp.put("head_dim", c.headDim());
        hp.put("vocab_size", c.vocabSize());
        hp.put("context_length", c.contextLength());
        hp.put("rms_norm_eps", c.rmsNormEps());
        hp.put("rope_theta", c.ropeTheta());
        hp.put("rope_dim", c.ropeDim());
        hp.put("rope_layout", c.ropeLayout().name().toLowerCase());
        hp.put("rope_scaling", c.ropeScaling().type().name().toLowerCase());
        hp.put("tied_embeddings", c.tiedEmbeddings());
        hp.put("attention_bias", c.attentionBias());
        hp.put("sliding_window", c.slidingWindow());
        r.put("hyperparameters", hp);
        List<Map<String, Object>> tensors = new ArrayList<>();
        Map<String, Long> bytesByType = new LinkedHashMap<>();
        for (Tensor t : m.fileTensors()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", t.name());
            e.put("type", t.type().name());
            e.put("shape", t.shape());
            e.put("bytes", t.byteSize());
            tensors.add(e);
            bytesByType.merge(t.type().name(), t.byteSize(), Long::sum);
        }
        r.put("tensor_bytes_by_type", bytesByType);
        r.put("tensors", tensors);
        Tokenizer tok = m.tokenizer();
        Map<String, Object> tk = new LinkedHashMap<>();
        tk.put("kind", tok.getClass().getSimpleName());
        tk.put("vocab_size", tok.vocabSize());
        tk.put("bos", tok.bos().isPresent() ? tok.piece(tok.bos().getAsInt()) : null);
        tk.put("eos", tok.eos().isPresent() ? tok.piece(tok.eos().getAsInt()) : null);
        r.put("tokenizer", tk);
        r.put("chat_template", m.chatTemplate().map(t -> t.source()).orElse(null));
        if (metadata) {
            Map<String, Object> md = new LinkedHashMap<>();
            m.fileMetadata().forEach((k, v) -> md.put(k, String.valueOf(v)));
            r.put("metadata", md);
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    private void print(PrintWriter out, LoadedModel m, Map<String, Object> r) {
        out.printf("%s  (%s, %,d bytes)%n", r.get("path"), r.get("format"), (Long) r.get("file_bytes"));
        out.printf("architecture: %s, %,d parameters%n", r.get("architecture"), (Long) r.get("parameters"));
        ((Map<String, Object>) r.get("hyperparameters")).forEach((k, v) -> out.printf("  %-18s %s%n", k, v));
        out.printf("tokenizer: %s%n", r.get("tokenizer"));
        Object tpl = r.get("chat_template");
        out.printf("chat template: %s%n", tpl == null ? "none" : firstLines((String) tpl, 3));
        out.printf("tensors (%d):  bytes by type %s%n", m.fileTensors().size(), r.get("tensor_bytes_by_type"));
        for (Tensor t : m.fileTensors()) {
            out.printf("  %-48s %-6s %-18s %,14d%n", t.name(), t.type(), Arrays.toString(t.shape()), t.byteSize());
        }
        if (metadata) {
            out.println("metadata:");
            ((Map<String, Object>) r.get("metadata")).forEach((k, v) -> out.printf("  %-48s %s%n", k, abbreviate(v.toString())));
        }
    }

    private static String firstLines(String s, int n) {
        String[] lines = s.split("\n", n + 1);
        String head = String.join("\n    ", Arrays.copyOf(lines, Math.min(n, lines.length)));
        return "\n    " + head + (lines.length > n ? "\n    …" : "");
    }

    private static String abbreviate(String s) {
        String one = s.replace("\n", "\\n");
        return one.length() > 120 ? one.substring(0, 117) + "..." : one;
    }
}
