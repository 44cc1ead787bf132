package io.llmopt.model.export;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.gguf.GgufValue;
import io.llmopt.formats.gguf.GgufWriter;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model as GGUF the way llama.cpp's converter does: {@code general.*} and {@code <arch>.*}
 * hyper-parameters, the tokenizer's {@code tokenizer.*} keys, 1-D tensors in F32 and matrices in the chosen
 * float type (general.file_type 0 = F32, 1 = F16, 32 = BF16). Atomic and streaming (row by row).
 */
public final class GgufModelWriter {
    private GgufModelWriter() {
    }

    public static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case BF16 -> 32;
            default -> throw new LlmoptException("convert writes f32, f16 or bf16 (quantized types come from `llmopt quantize`), got " + type);
        };
    }

    /**
     * The metadata llama.cpp's converter writes for {@code c}: general.*, the architecture's hyper-parameters and
     * the {@code tokenizer.*} keys of {@code tokenizerMetadata}, with {@code general.file_type} = fileType (a
     * llama.cpp ftype, e.g. 15 = Q4_K_M).
     */
    public static GgufMetadata metadata(String name, LlamaConfig c, int fileType, GgufMetadata tokenizerMetadata) {
        Map<String, GgufValue> w = new LinkedHashMap<>();
        String a = c.architecture();
        w.put("general.architecture", GgufValue.ofString(a));
        w.put("general.name", GgufValue.ofString(name));
        w.put("general.file_type", GgufValue.ofUint32(fileType));
        w.put(a + ".context_length", GgufValue.ofUint32(c.contextLength()));
        w.put(a + ".embedding_length", GgufValue.ofUint32(c.hiddenSize()));
        w.put(a + ".block_count", GgufValue.ofUint32(c.numLayers()));
        w.put(a + ".feed_forward_length", GgufValue.ofUint32(c.intermediateSize()));
        w.put(a + ".attention.head_count", GgufValue.ofUint32(c.numHeads()));
        w.put(a + ".attention.head_count_kv", GgufValue.ofUint32(c.numKvHeads()));
        w.put(a + ".rope.freq_base", GgufValue.ofFloat32((float) c.ropeTheta()));
        w.put(a + ".attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(c.rmsNormEps()));
        w.put(a + ".rope.dimension_count", GgufValue.ofUint32(c.ropeDim()));
        w.put(a + ".vocab_size", GgufValue.ofUint32(c.vocabSize()));
        if (c.headDim() * c.numHeads() != c.hiddenSize()) {
            w.put(a + ".attention.key_length", GgufValue.ofUint32(c.headDim()));
            w.put(a + ".attention.value_length", GgufValue.ofUint32(c.headDim()));
        }
        if (c.slidingWindow() > 0) {
            w.put(a + ".attention.sliding_window", GgufValue.ofUint32(c.slidingWindow()));
        }
        RopeScaling s = c.ropeScaling();
        switch (s.type()) {
            case NONE -> { }
            case LINEAR -> {
                w.put(a + ".rope.scaling.type", GgufValue.ofString("linear"));
                w.put(a + ".rope.scaling.factor", GgufValue.ofFloat32((float) s.factor()));
            }
            case LLAMA3, FACTORS -> { } // stored as the rope_freqs.weight tensor (extraTensors), as llama.cpp's converter does
            default -> throw new LlmoptException("writing " + s.type() + " RoPE scaling to GGUF is not supported yet");
        }
        for (Map.Entry<String, GgufValue> e : tokenizerMetadata.asMap().entrySet()) {
            if (e.getKey().startsWith("tokenizer.")) {
                w.put(e.getKey(), e.getValue());
            }
        }
        return new GgufMetadata("metadata of " + name, w);
    }

    /** Tensors GGUF needs beyond the weights: rope_freqs.weight (θ_unscaled / θ_scaled) for Llama 3 scaling. */
    public static List<ExportTensor> extraTensors(LlamaConfig c) {
        RopeScaling s = c.ropeScaling();
        if (s.type() != RopeScaling.Type.LLAMA3 && s.type() != RopeScaling.Type.FACTORS) {
            return List.of();
        }
        float[] factors;
        if (s.type() == RopeScaling.Type.FACTORS) {
            factors = s.frequencyFactors();
        } else {
            double[] scaled = io.llmopt.model.RopeFrequencies.of(c, c.contextLength());
            double[] plain = io.llmopt.model.RopeFrequencies.of(c.withRopeScaling(RopeScaling.NONE), c.contextLength());
            factors = s.toFrequencyFactors(plain, scaled);
        }
        return List.of(new ExportTensor("rope_freqs.weight", new long[] {factors.length},
                (row, dst) -> System.arraycopy(factors, 0, dst, 0, factors.length)));
    }

    public static void write(Path out, String name, LlamaConfig c, List<ExportTensor> tensors, GgmlType type,
            GgufMetadata tokenizerMetadata) {
        GgufWriter w = new GgufWriter(out);
        w.metadata(metadata(name, c, fileType(type), tokenizerMetadata));
        for (ExportTensor t : extraTensors(c)) {
            w.addTensor(t.name(), GgmlType.F32, t.shape(), (row, dst) -> t.rows().row(row, dst));
        }
        for (ExportTensor t : tensors) {
            GgmlType target = t.shape().length == 1 ? GgmlType.F32 : type;
            w.addTensor(t.name(), target, t.shape(), (row, dst) -> t.rows().row(row, dst));
        }
        w.write();
    }
}
