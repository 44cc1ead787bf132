package io.llmopt.cli;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.hf.HfConfig;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.ModelPresets;
import io.llmopt.model.export.GgufModelWriter;
import io.llmopt.model.export.HfModelWriter;
import io.llmopt.model.export.RandomTensors;
import io.llmopt.model.export.SyntheticVocabulary;
import io.llmopt.model.loader.HfConfigs;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.model.loader.TokenizerFiles;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.GgufTokenizerExport;
import io.llmopt.tokenizer.Tokenizer;
import io.llmopt.tokenizer.Tokenizers;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code llmopt init}: a random-weight model of a real shape, for speed work or as a student to train. */
@Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a random-weight model of a named shape (or any config.json) as GGUF (OUT.gguf) or a Hugging Face directory.")
final class InitCommand implements Callable<Integer> {
    static final class Shape {
        @Option(names = "--preset", paramLabel = "NAME", description = "one of: ${COMPLETION-CANDIDATES}", completionCandidates = Presets.class)
        String preset;

        @Option(names = "--config", paramLabel = "FILE", description = "a Hugging Face config.json")
        Path config;
    }

    static final class Presets implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ModelPresets.all().keySet().iterator();
        }
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Shape shape;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "OUT", description = "output .gguf file or directory")
    Path out;

    @Option(names = "--type", paramLabel = "TYPE", description = "f32, f16 or bf16 (default: ${DEFAULT-VALUE})")
    String type = "f16";

    @Option(names = "--seed", paramLabel = "SEED", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed = 42;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "vocabulary to attach: a GGUF vocab file, tokenizer.model or tokenizer.json (default: a synthetic byte-fallback vocabulary)")
    Path tokenizer;

    @Option(names = "--json", description = "print a JSON summary")
    boolean json;

    @Option(names = "--verbose", description = "print stack traces for errors")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        LlamaConfig c = shape.preset != null ? ModelPresets.get(shape.preset)
                : HfConfigs.toLlamaConfig(HfConfig.read(shape.config), shape.config.toString());
        GgmlType target = ConvertCommand.floatType(type);
        boolean gguf = out.getFileName().toString().endsWith(".gguf");
        String name = shape.preset != null ? shape.preset + "-random" : "random";
        if (gguf) {
            GgufModelWriter.write(out, name, c, RandomTensors.of(c, TensorNames.GGUF, seed), target, vocabulary(c));
        } else {
            HfModelWriter.write(out, HfModelWriter.config(c, 1, List.of(2), target), RandomTensors.of(c, TensorNames.HF, seed), target);
            if (tokenizer != null) {
                Files.copy(tokenizer, out.resolve(tokenizer.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        long bytes = Files.isDirectory(out) ? Files.list(out).mapToLong(p -> p.toFile().length()).sum() : Files.size(out);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("output", out.toString());
        r.put("preset", shape.preset);
        r.put("parameters", c.parameterCount());
        r.put("type", target.name().toLowerCase());
        r.put("bytes", bytes);
        r.put("seed", seed);
        r.put("seconds", (System.nanoTime() - t0) / 1e9);
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            w.println(Json.write(r));
        } else {
            w.printf("wrote %s: %,d parameters, %s, %,d bytes in %.1f s%n", out, c.parameterCount(), r.get("type"), bytes, r.get("seconds"));
        }
        w.flush();
        return 0;
    }

    private GgufMetadata vocabulary(LlamaConfig c) {
        if (tokenizer == null) {
            return SyntheticVocabulary.gguf(c.vocabSize());
        }
        GgufMetadata m;
        if (tokenizer.getFileName().toString().endsWith(".gguf")) {
            m = TokenizerFiles.ggufTokenizerKeys(tokenizer);
        } else {
            Tokenizer t = Tokenizers.load(tokenizer);
            m = GgufTokenizerExport.toGguf(t);
        }
        int size = m.getStringArray("tokenizer.ggml.tokens").length;
        if (size > c.vocabSize()) {
            throw new LlmoptException(tokenizer + ": the vocabulary has " + size + " tokens but the model's vocab_size is " + c.vocabSize());
        }
        return m;
    }
}
