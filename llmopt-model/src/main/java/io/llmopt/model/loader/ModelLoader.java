package io.llmopt.model.loader;

import io.llmopt.formats.gguf.GgufFile;
import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.gguf.GgufValue;
import io.llmopt.formats.hf.HfConfig;
import io.llmopt.formats.llama2c.Llama2cCheckpoint;
import io.llmopt.formats.safetensors.SafetensorsFile;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tokenizer.ChatTemplate;
import io.llmopt.tokenizer.Tokenizer;
import io.llmopt.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Opens a model given by path — a GGUF file, a Hugging Face directory (config.json + safetensors +
 * tokenizer) or a llama2.c checkpoint (tokenizer beside it or given) — detecting the format from its content.
 */
public final class ModelLoader {
    /** llama.cpp's per-frequency RoPE divisors (Llama 3 scaling in GGUF files). */
    public static final String ROPE_FREQS = "rope_freqs.weight";
    private ModelLoader() {
    }

    public static LoadedModel load(Path path) {
        return load(path, null);
    }

    /** @param tokenizerOverride a tokenizer file to use instead of the model's own (may be null) */
    public static LoadedModel load(Path path, Path tokenizerOverride) {
        if (!Files.exists(path)) {
            throw new LlmoptException(path + ": no such file or directory");
        }
        if (Files.isDirectory(path)) {
            return HfModelLoader.load(path, tokenizerOverride);
        }
        if (isGguf(path)) {
            return loadGguf(path, tokenizerOverride);
        }
        String name = path.getFileName().toString();
        if (name.endsWith(".safetensors") || name.endsWith(".json")) {
            Path dir = path.toAbsolutePath().getParent();
            return HfModelLoader.load(dir, tokenizerOverride);
        }
        return loadLlama2c(path, tokenizerOverride);
    }

    static boolean isGguf(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        } catch (IOException e) {
            throw new LlmoptException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static LoadedModel loadGguf(Path path, Path tokenizerOverride) {
        GgufFile file = GgufFile.open(path);
        try {
            GgufMetadata m = file.metadata();
            Tensor embedding = file.findTensor(TensorNames.GGUF.tokenEmbedding())
                    .orElseThrow(() -> new LlmoptException(path + ": missing tensor '" + TensorNames.GGUF.tokenEmbedding() + "'"));
            boolean hasOutput = file.findTensor(TensorNames.GGUF.output()).isPresent();
            float[] ropeFactors = file.findTensor(ROPE_FREQS).map(Tensor::toFloatArray).orElse(null);
            LlamaConfig config = GgufConfigs.read(m, Math.toIntExact(embedding.dim(0)), hasOutput, ropeFactors);
            TensorSource src = source(path.toString(), file::findTensor);
            LlamaWeights weights = WeightsBuilder.build(src, TensorNames.GGUF, config);
            Tokenizer tokenizer = tokenizerOverride != null ? TokenizerFiles.load(tokenizerOverride, config.vocabSize()) : Tokenizers.fromGguf(m);
            Optional<ChatTemplate> template = m.findString("tokenizer.chat_template")
                    .map(t -> new ChatTemplate(t, piece(tokenizer, tokenizer.bos()), piece(tokenizer, tokenizer.eos())));
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("gguf.version", file.version());
            for (Map.Entry<String, GgufValue> e : m.asMap().entrySet()) {
                meta.put(e.getKey(), e.getValue());
            }
            return new LoadedModel(path, "gguf", config, weights, tokenizer, template, file.tensors(), meta,
                    file.fileSize(), file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static LoadedModel loadLlama2c(Path path, Path tokenizerOverride) {
        Llama2cCheckpoint ckpt = Llama2cCheckpoint.open(path);
        try {
            LlamaConfig config = Llama2cLoader.config(ckpt.header());
            LlamaWeights weights = Llama2cLoader.weights(ckpt);
            Path tok = tokenizerOverride != null ? tokenizerOverride : findLlama2cTokenizer(path);
            Tokenizer tokenizer = TokenizerFiles.load(tok, config.vocabSize());
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("llama2c.header", ckpt.header().toString());
            meta.put("tokenizer.file", tok.toString());
            return new LoadedModel(path, "llama2c", config, weights, tokenizer, Optional.empty(),
                    List.copyOf(ckpt.tensors().values()), meta, size(path), ckpt);
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    /** tokenizer.bin, then tok*.bin, then tokenizer.model / *.model in the checkpoint's folder. */
    static Path findLlama2cTokenizer(Path checkpoint) {
        Path dir = checkpoint.toAbsolutePath().getParent();
        List<Path> candidates = new ArrayList<>();
        candidates.add(dir.resolve("tokenizer.bin"));
        try (Stream<Path> files = Files.list(dir)) {
            files.sorted().forEach(p -> {
                String n = p.getFileName().toString();
                if ((n.startsWith("tok") && n.endsWith(".bin")) || n.endsWith(".model")) {
                    candidates.add(p);
                }
            });
        } catch (IOException e) {
            throw new LlmoptException(dir + ": cannot list: " + e.getMessage(), e);
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new LlmoptException(
                checkpoint + ": no tokenizer found beside the llama2.c checkpoint (looked for tokenizer.bin, tok*.bin, *.model); give one with --tokenizer"));
    }

    static String piece(Tokenizer t, java.util.OptionalInt id) {
        return id.isPresent() ? t.piece(id.getAsInt()) : "";
    }

    static TensorSource source(String name, java.util.function.Function<String, Optional<Tensor>> finder) {
        return new TensorSource() {
            @Override
            public String source() {
                return name;
            }

            @Override
            public Optional<Tensor> find(String tensor) {
                return finder.apply(tensor);
            }
        };
    }

    static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new LlmoptException(p + ": cannot read size: " + e.getMessage(), e);
        }
    }
}
