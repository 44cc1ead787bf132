package io.llmopt.model.loader;

import io.llmopt.formats.bnb.BnbDecoder;
import io.llmopt.formats.hf.HfConfig;
import io.llmopt.formats.safetensors.SafetensorsFile;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.ChatTemplate;
import io.llmopt.tokenizer.Tokenizer;
import io.llmopt.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Hugging Face model directories: config.json → {@link LlamaConfig} (HF checkpoints use rotate-half RoPE),
 * safetensors (single or sharded) → weights, tokenizer.json / tokenizer.model + tokenizer_config.json.
 */
final class HfModelLoader {
    private HfModelLoader() {
    }

    static LoadedModel load(Path dir, Path tokenizerOverride) {
        Path configFile = dir.resolve(HfConfig.FILE_NAME);
        if (!Files.isRegularFile(configFile)) {
            throw new LlmoptException(dir + ": not a model: no config.json (expected a Hugging Face model directory, a .gguf file or a llama2.c .bin)");
        }
        HfConfig hf = HfConfig.read(configFile);
        LlamaConfig config = HfConfigs.toLlamaConfig(hf, configFile.toString());
        SafetensorsFile st = SafetensorsFile.open(dir);
        try {
            // bitsandbytes-quantized weights (several tensors each) are assembled into one llmopt tensor
            LlamaWeights weights = WeightsBuilder.build(ModelLoader.source(dir.toString(),
                    name -> BnbDecoder.find(st, name).or(() -> st.findTensor(name))), TensorNames.HF, config);
            Tokenizer tokenizer = tokenizerOverride != null ? TokenizerFiles.load(tokenizerOverride, config.vocabSize()) : Tokenizers.load(dir);
            Path tokConfig = dir.resolve("tokenizer_config.json");
            Optional<ChatTemplate> template = Files.isRegularFile(tokConfig) ? ChatTemplate.fromTokenizerConfig(tokConfig) : Optional.empty();
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("config.json", hf.toJson());
            meta.putAll(st.metadata());
            return new LoadedModel(dir, "hf", config, weights, tokenizer, template,
                    st.tensorNames().stream().filter(n -> st.findEntry(n).orElseThrow().dtype().ggmlType().isPresent())
                            .map(st::tensor).toList(), meta, directorySize(dir), st);
        } catch (RuntimeException e) {
            st.close();
            throw e;
        }
    }

    static long directorySize(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(ModelLoader::size).sum();
        } catch (IOException e) {
            throw new LlmoptException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }
}
