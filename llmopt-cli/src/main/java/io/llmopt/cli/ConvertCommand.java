package io.llmopt.cli;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.hf.HfConfig;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.export.ExportTensor;
import io.llmopt.model.export.GgufModelWriter;
import io.llmopt.model.export.HfModelWriter;
import io.llmopt.model.export.ModelTensors;
import io.llmopt.model.loader.Architecture;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.model.loader.TokenizerFiles;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.GgufTokenizerExport;
import io.llmopt.tokenizer.HfTokenizerExport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code llmopt convert}: any supported model to GGUF (OUT ends in .gguf) or to a Hugging Face directory.
 * q/k rows are permuted between GGUF's interleaved RoPE order and HF's rotate-half order as llama.cpp's
 * converter does, so the converted model computes the same logits.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Convert a model (GGUF, HF directory, llama2.c .bin) to GGUF (OUT.gguf) or a Hugging Face directory.")
final class ConvertCommand implements Callable<Integer> {
    private static final String[] HF_TOKENIZER_FILES = {"tokenizer.json", "tokenizer.model", "tokenizer_config.json",
        "special_tokens_map.json", "generation_config.json"};

    @Parameters(index = "0", paramLabel = "IN", description = "input model")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "output: a .gguf file, or a directory for Hugging Face format")
    Path out;

    @Option(names = "--type", paramLabel = "TYPE", description = "f32, f16 or bf16 (default: the input's float type, f16 for quantized input)")
    String type;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer to use instead of the input's own")
    Path tokenizer;

    @Option(names = "--json", description = "print a JSON summary")
    boolean json;

    @Option(names = "--verbose", description = "print stack traces for errors")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        try (LoadedModel m = ModelLoader.load(in, tokenizer)) {
            GgmlType target = type != null ? floatType(type) : defaultType(m);
            LlamaConfig c = m.config();
            boolean gguf = out.getFileName().toString().endsWith(".gguf");
            if (gguf) {
                Architecture arch = Architecture.fromGguf(c.architecture(), in.toString());
                List<ExportTensor> tensors = ModelTensors.of(c, m.weights(), TensorNames.GGUF, arch.ggufRopeLayout());
                GgufModelWriter.write(out, name(in), c, tensors, target, tokenizerMetadata(m));
            } else {
                List<ExportTensor> tensors = ModelTensors.of(c, m.weights(), TensorNames.HF, RopeLayout.HALF);
                Integer bos = m.tokenizer().bos().isPresent() ? m.tokenizer().bos().getAsInt() : null;
                List<Integer> eos = m.tokenizer().eos().isPresent() ? List.of(m.tokenizer().eos().getAsInt()) : List.of();
                HfConfig config = HfModelWriter.config(c, bos, eos, target);
                HfModelWriter.write(out, config, tensors, target);
                copyTokenizer(m);
            }
            long bytes = Files.isDirectory(out) ? Files.list(out).mapToLong(p -> p.toFile().length()).sum() : Files.size(out);
            PrintWriter w = spec.commandLine().getOut();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("input", in.toString());
            r.put("output", out.toString());
            r.put("format", gguf ? "gguf" : "hf");
            r.put("type", target.name().toLowerCase());
            r.put("bytes", bytes);
            r.put("seconds", (System.nanoTime() - t0) / 1e9);
            if (json) {
                w.println(Json.write(r));
            } else {
                w.printf("wrote %s (%s, %s, %,d bytes) in %.1f s%n", out, r.get("format"), r.get("type"), bytes, r.get("seconds"));
            }
            w.flush();
        }
        return 0;
    }

    static GgmlType floatType(String name) {
        return switch (name.toLowerCase()) {
            case "f32" -> GgmlType.F32;
            case "f16" -> GgmlType.F16;
            case "bf16" -> GgmlType.BF16;
            default -> throw new LlmoptException("--type must be f32, f16 or bf16, got '" + name + "' (quantize with `llmopt quantize`)");
        };
    }

    private static GgmlType defaultType(LoadedModel m) {
        GgmlType t = m.weights().layers().get(0).wq().type();
        return t == GgmlType.F32 || t == GgmlType.BF16 ? t : GgmlType.F16;
    }

    private static String name(Path p) {
        String n = p.toAbsolutePath().normalize().getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** The input's own tokenizer keys when it is GGUF, else an export of its tokenizer. */
    private GgufMetadata tokenizerMetadata(LoadedModel m) {
        Path gguf = tokenizer != null ? tokenizer : m.format().equals("gguf") ? in : null;
        if (gguf != null && Files.isRegularFile(gguf) && gguf.getFileName().toString().endsWith(".gguf")) {
            return TokenizerFiles.ggufTokenizerKeys(gguf); // verbatim, including keys llmopt does not interpret
        }
        return GgufTokenizerExport.toGguf(m.tokenizer());
    }

    private void copyTokenizer(LoadedModel m) throws IOException {
        Path source = tokenizer != null ? tokenizer : m.path();
        if (Files.isDirectory(source)) {
            for (String f : HF_TOKENIZER_FILES) {
                if (Files.isRegularFile(source.resolve(f))) {
                    Files.copy(source.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return;
        }
        Object tokFile = m.fileMetadata().get("tokenizer.file");
        Path model = tokenizer != null ? tokenizer : tokFile != null ? Path.of(tokFile.toString()) : null;
        if (model != null && model.getFileName().toString().endsWith(".model")) {
            Files.copy(model, out.resolve("tokenizer.model"), StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        if (model != null && model.getFileName().toString().equals("tokenizer.json")) {
            Files.copy(model, out.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        // GGUF vocabularies and llama2.c tokenizer.bin: write Hugging Face tokenizer files from the loaded tokenizer
        HfTokenizerExport.write(m.tokenizer(), out, m.chatTemplate().map(t -> t.source()).orElse(null));
    }
}
