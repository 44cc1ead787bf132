package io.llmopt.model.export;

import io.llmopt.formats.hf.HfArchitecture;
import io.llmopt.formats.hf.HfConfig;
import io.llmopt.formats.hf.HfConfigBuilder;
import io.llmopt.formats.safetensors.SafetensorsWriter;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a model as a Hugging Face directory: config.json, model.safetensors (sharded above 4 GB, with
 * model.safetensors.index.json), with tensors in the given float type. Tokenizer files are the caller's.
 */
public final class HfModelWriter {
    private static final long SHARD_BYTES = 4L << 30;

    private HfModelWriter() {
    }

    public static HfConfig config(LlamaConfig c, Integer bos, List<Integer> eos, GgmlType type) {
        HfArchitecture arch = HfArchitecture.byClassName(switch (c.architecture()) {
            case "llama" -> "LlamaForCausalLM";
            case "mistral" -> "MistralForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            default -> throw new LlmoptException("no Hugging Face class for architecture " + c.architecture());
        }).orElseThrow();
        HfConfigBuilder b = HfConfig.builder(arch)
                .hiddenSize(c.hiddenSize()).intermediateSize(c.intermediateSize()).numHiddenLayers(c.numLayers())
                .numAttentionHeads(c.numHeads()).numKeyValueHeads(c.numKvHeads()).headDim(c.headDim())
                .vocabSize(c.vocabSize()).maxPositionEmbeddings(c.contextLength()).rmsNormEps(c.rmsNormEps())
                .ropeTheta(c.ropeTheta()).tieWordEmbeddings(c.tiedEmbeddings()).attentionBias(c.attentionBias())
                .hiddenAct("silu").bosTokenId(bos).eosTokenIds(eos)
                .torchDtype(switch (type) {
                    case F32 -> "float32";
                    case F16 -> "float16";
                    case BF16 -> "bfloat16";
                    default -> throw new LlmoptException("safetensors output is f32, f16 or bf16, got " + type);
                });
        if (c.slidingWindow() > 0) {
            b.slidingWindow(c.slidingWindow());
        }
        RopeScaling s = c.ropeScaling();
        switch (s.type()) {
            case NONE -> { }
            case LINEAR -> b.ropeScaling(io.llmopt.formats.hf.RopeScaling.linear(s.factor()));
            case DYNAMIC -> b.ropeScaling(io.llmopt.formats.hf.RopeScaling.dynamic(s.factor()));
            case LLAMA3 -> b.ropeScaling(io.llmopt.formats.hf.RopeScaling.llama3(s.factor(), s.lowFreqFactor(),
                    s.highFreqFactor(), s.originalContext()));
            case FACTORS -> throw new LlmoptException("this model's RoPE scaling is stored as per-frequency factors (GGUF rope_freqs.weight), "
                    + "which config.json cannot express; keep it in GGUF");
        }
        return b.build();
    }

    public static void write(Path dir, HfConfig config, List<ExportTensor> tensors, GgmlType type) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LlmoptException(dir + ": cannot create directory: " + e.getMessage(), e);
        }
        SafetensorsWriter w = new SafetensorsWriter().metadata(Map.of("format", "pt"));
        for (ExportTensor t : tensors) {
            w.add(t.name(), type, t.shape(), t::toFloatArray);
        }
        if (w.dataBytes() > SHARD_BYTES) {
            w.writeSharded(dir, SHARD_BYTES);
        } else {
            w.write(dir.resolve("model.safetensors"));
        }
        config.write(dir.resolve(HfConfig.FILE_NAME));
    }
}
