package io.llmopt.model.loader;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;
import io.llmopt.tensor.Tensor;
import io.llmopt.tokenizer.ChatTemplate;
import io.llmopt.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model opened from disk: its config, its weights (views of the memory-mapped file), its tokenizer and
 * chat template, plus what {@code inspect} shows about the file. Closing it unmaps the file; the weights
 * must not be used afterwards.
 *
 * @param format        "gguf", "hf" or "llama2c"
 * @param fileTensors   every tensor of the file under its own name, in file order
 * @param fileMetadata  format-specific key/values for display (GGUF metadata, config.json fields, header)
 * @param fileBytes     total size of the model files
 */
public record LoadedModel(Path path, String format, LlamaConfig config, LlamaWeights weights, Tokenizer tokenizer,
        Optional<ChatTemplate> chatTemplate, List<Tensor> fileTensors, Map<String, Object> fileMetadata,
        long fileBytes, AutoCloseable resources) implements AutoCloseable {

    /** The same model running {@code newWeights} (e.g. with sparse execution forms); shares the resources. */
    public LoadedModel withWeights(LlamaWeights newWeights) {
        return new LoadedModel(path, format, config, newWeights, tokenizer, chatTemplate, fileTensors, fileMetadata,
                fileBytes, resources);
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + path + ": " + e.getMessage(), e);
        }
    }
}
