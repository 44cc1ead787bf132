package io.llmopt.cli.train;

import io.llmopt.formats.hf.HfConfig;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.export.GgufModelWriter;
import io.llmopt.model.export.HfModelWriter;
import io.llmopt.model.loader.Architecture;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.train.ModelParameters;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes trained parameters as a model llmopt (and llama.cpp / transformers) load: OUT_DIR/model.gguf with the
 * starting model's tokenizer keys, and/or OUT_DIR/hf/ with config.json, model.safetensors and tokenizer files.
 * q/k rows are permuted to each format's RoPE layout.
 */
final class ModelOutput {
    private static final String[] HF_TOKENIZER_FILES = {"tokenizer.json", "tokenizer.model", "tokenizer_config.json",
        "special_tokens_map.json"};

    private ModelOutput() {
    }

    static GgmlType type(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> GgmlType.F32;
            case "f16" -> GgmlType.F16;
            case "bf16" -> GgmlType.BF16;
            default -> throw new LlmoptException("--type must be f32, f16 or bf16, got '" + name + "'");
        };
    }

    /** Returns the written paths (the GGUF file first when there is one). */
    static List<Path> write(TrainingFlags f, ModelParameters params, StartingModel start, String name, PrintWriter err) {
        GgmlType type = type(f.type);
        LlamaConfig c = params.config();
        List<Path> written = new ArrayList<>();
        if (f.writesGguf()) {
            Path gguf = f.out.resolve("model.gguf");
            Architecture arch = Architecture.fromGguf(c.architecture(), name);
            GgufModelWriter.write(gguf, name, c, params.exportTensors(TensorNames.GGUF, arch.ggufRopeLayout()), type, start.tokenizerKeys());
            written.add(gguf);
        }
        if (f.writesHf()) {
            Path dir = f.out.resolve("hf");
            Integer bos = start.tokenizer().bos().isPresent() ? start.tokenizer().bos().getAsInt() : null;
            List<Integer> eos = start.tokenizer().eos().isPresent() ? List.of(start.tokenizer().eos().getAsInt()) : List.of();
            HfConfig config = HfModelWriter.config(c, bos, eos, type);
            HfModelWriter.write(dir, config, params.exportTensors(TensorNames.HF, RopeLayout.HALF), type);
            copyTokenizer(start.tokenizerSource(), dir, err);
            written.add(dir);
        }
        return written;
    }

    private static void copyTokenizer(Path source, Path dir, PrintWriter err) {
        try {
            if (source != null && Files.isDirectory(source)) {
                for (String name : HF_TOKENIZER_FILES) {
                    if (Files.isRegularFile(source.resolve(name))) {
                        Files.copy(source.resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                return;
            }
            String n = source == null ? "" : source.getFileName().toString();
            if (n.endsWith(".model")) {
                Files.copy(source, dir.resolve("tokenizer.model"), StandardCopyOption.REPLACE_EXISTING);
            } else if (n.equals("tokenizer.json")) {
                Files.copy(source, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
            } else {
                err.println("warning: no Hugging Face tokenizer file to copy into " + dir
                        + " (start from a model with tokenizer.model/tokenizer.json or pass --tokenizer); the GGUF output carries the vocabulary");
            }
        } catch (IOException e) {
            throw new LlmoptException(dir + ": cannot copy tokenizer files: " + e.getMessage(), e);
        }
    }
}
