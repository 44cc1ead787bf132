package io.llmopt.compress.prune;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;
import io.llmopt.model.export.GgufModelWriter;
import io.llmopt.model.export.ModelTensors;
import io.llmopt.model.loader.Architecture;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.model.loader.TokenizerFiles;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.GgufTokenizerExport;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a pruned (or structurally shrunk) model as GGUF with the source's tokenizer keys, atomically (the GGUF
 * writer writes a temporary file and renames it). Convert to a Hugging Face directory with {@code llmopt convert}.
 */
public final class PrunedModelWriter {
    private PrunedModelWriter() {
    }

    public static void writeGguf(Path out, LoadedModel source, LlamaConfig config, LlamaWeights weights, GgmlType type) {
        if (!out.getFileName().toString().endsWith(".gguf")) {
            throw new LlmoptException(out + ": the pruned model is written as GGUF; give an output name ending in .gguf "
                    + "(then `llmopt convert` makes a Hugging Face directory)");
        }
        if (Files.isDirectory(out)) {
            throw new LlmoptException(out + ": output must be a file, not a directory");
        }
        Architecture arch = Architecture.fromGguf(config.architecture(), source.path().toString());
        GgufMetadata tokenizer = source.format().equals("gguf")
                ? TokenizerFiles.ggufTokenizerKeys(source.path()) : GgufTokenizerExport.toGguf(source.tokenizer());
        GgufModelWriter.write(out, name(out), config, ModelTensors.of(config, weights, TensorNames.GGUF, arch.ggufRopeLayout()),
                type, tokenizer);
    }

    /** F32 when the source is F32 or the default float type is asked for a quantized source, else F16/BF16 as stored. */
    public static GgmlType defaultType(LoadedModel m) {
        GgmlType t = m.weights().layers().get(0).wq().type();
        return t == GgmlType.F16 || t == GgmlType.BF16 ? t : GgmlType.F32;
    }

    private static String name(Path p) {
        String n = p.toAbsolutePath().normalize().getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
