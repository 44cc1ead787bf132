package io.llmopt.model.loader;

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
        LlamaConfig config = config(hf, configFile.toString());
        SafetensorsFile st = SafetensorsFile.open(dir);
        try {
            LlamaWeights weights = WeightsBuilder.build(ModelLoader.source(dir.toString(), st::findTensor), TensorNames.HF, config);
            Tokenizer tokenizer = Tokenizers.load(tokenizerOverride != null ? tokenizerOverride : dir);
            Path tokConfig = dir.resolve("tokenizer_config.json");
            Optional<ChatTemplate> template = Files.isRegularFile(tokConfig) ? ChatTemplate.fromTokenizerConfig(tokConfig) : Optional.empty();
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("config.json", hf.toJson());
            meta.putAll(st.metadata());
            return new LoadedModel(dir, "hf", config, weights, tokenizer, template,
                    st.tensorNames().stream().map(st::tensor).toList(), meta, directorySize(dir), st);
        } catch (RuntimeException e) {
            st.close();
            throw e;
        }
    }

    static LlamaConfig config(HfConfig hf, String source) {
        if (hf.mlpBias() || hf.outputProjectionBias()) {
            throw new LlmoptException(source + ": mlp_bias / o_proj bias are not supported (attention_bias on Llama adds an o_proj bias)");
        }
        int window = 0;
        String arch = hf.architecture().name().toLowerCase(java.util.Locale.ROOT);
        if (hf.slidingWindow().isPresent() && (arch.equals("mistral") || hf.useSlidingWindow())) {
            if (arch.equals("qwen2")) {
                throw new LlmoptException(source + ": Qwen2 use_sliding_window = true is not supported");
            }
            window = hf.slidingWindow().getAsInt();
        }
        RopeScaling scaling = hf.ropeScaling().map(r -> switch (r.type()) {
            case LINEAR -> RopeScaling.linear(r.factor());
            case DYNAMIC -> RopeScaling.dynamic(r.factor(), hf.maxPositionEmbeddings());
            case LLAMA3 -> RopeScaling.llama3(r.factor(), r.lowFreqFactor().orElseThrow(), r.highFreqFactor().orElseThrow(),
                    r.originalMaxPositionEmbeddings().orElseThrow());
            default -> throw new LlmoptException(source + ": rope_scaling type " + r.type().jsonName() + " is not supported");
        }).orElse(RopeScaling.NONE);
        return new LlamaConfig(arch, hf.hiddenSize(), hf.intermediateSize(), hf.numHiddenLayers(), hf.numAttentionHeads(),
                hf.numKeyValueHeads(), hf.headDim(), hf.vocabSize(), (float) hf.rmsNormEps(), hf.ropeTheta(), hf.headDim(),
                RopeLayout.HALF, scaling, hf.maxPositionEmbeddings(), hf.tieWordEmbeddings(), hf.qkvBias(), window);
    }

    static long directorySize(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(ModelLoader::size).sum();
        } catch (IOException e) {
            throw new LlmoptException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }
}
