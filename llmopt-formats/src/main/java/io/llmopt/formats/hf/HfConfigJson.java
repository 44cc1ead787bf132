package io.llmopt.formats.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Reading and writing {@link HfConfig} as {@code config.json} text, with transformers' field names. */
final class HfConfigJson {
    private static final long MAX_CONFIG_BYTES = 16L << 20;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private HfConfigJson() {
    }

    static HfConfig read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve(HfConfig.FILE_NAME) : path;
        String text;
        try {
            if (!Files.isRegularFile(file)) {
                throw new LlmoptException(file + ": no such config file");
            }
            if (Files.size(file) > MAX_CONFIG_BYTES) {
                throw new LlmoptException(file + ": larger than " + MAX_CONFIG_BYTES + " bytes, not a model config");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LlmoptException(file + ": cannot read: " + e, e);
        }
        return parse(text, file.toString());
    }

    static HfConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String first = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new LlmoptException(source + ": not valid JSON" + where + ": " + first.replaceAll("\\p{Cntrl}", " "), e);
        }
        if (root == null || !root.isObject()) {
            throw new LlmoptException(source + ": expected a JSON object");
        }
        ConfigFields f = new ConfigFields(source, "", root);
        HfArchitecture arch = architecture(f);
        Optional<String> modelType = f.optionalString("model_type");
        if (modelType.isPresent() && !modelType.get().equals(arch.modelType())) {
            throw f.error("model_type", "is \"" + modelType.get() + "\" but architectures names " + arch.className()
                    + " (model_type \"" + arch.modelType() + "\")");
        }
        HfConfigBuilder b = HfConfig.builder(arch)
                .hiddenSize(f.requiredInt("hidden_size"))
                .intermediateSize(f.requiredInt("intermediate_size"))
                .numHiddenLayers(f.requiredInt("num_hidden_layers"))
                .numAttentionHeads(f.requiredInt("num_attention_heads"))
                .vocabSize(f.requiredInt("vocab_size"))
                .maxPositionEmbeddings(f.requiredInt("max_position_embeddings"))
                .rmsNormEps(f.requiredDouble("rms_norm_eps"))
                .eosTokenIds(f.intOrIntList("eos_token_id"));
        f.optionalInt("num_key_value_heads").ifPresent(b::numKeyValueHeads);
        f.optionalInt("head_dim").ifPresent(b::headDim);
        f.optionalDouble("rope_theta").ifPresent(b::ropeTheta);
        f.optionalObject("rope_scaling").ifPresent(r -> b.ropeScaling(ropeScaling(r)));
        f.optionalBoolean("tie_word_embeddings").ifPresent(b::tieWordEmbeddings);
        f.optionalBoolean("attention_bias").ifPresent(b::attentionBias);
        f.optionalBoolean("mlp_bias").ifPresent(b::mlpBias);
        if (arch != HfArchitecture.LLAMA && root.has("sliding_window")) { // present-but-null means "no window"
            b.slidingWindow(f.optionalInt("sliding_window").isPresent() ? f.optionalInt("sliding_window").getAsInt() : null);
        }
        if (arch == HfArchitecture.QWEN2) {
            f.optionalBoolean("use_sliding_window").ifPresent(b::useSlidingWindow);
            f.optionalInt("max_window_layers").ifPresent(b::maxWindowLayers);
        }
        f.optionalInt("bos_token_id").ifPresent(b::bosTokenId);
        f.optionalString("hidden_act").ifPresent(b::hiddenAct);
        f.optionalString("torch_dtype").or(() -> f.optionalString("dtype")).ifPresent(b::torchDtype);
        try {
            return b.build();
        } catch (LlmoptException e) {
            throw new LlmoptException(source + ": " + e.getMessage(), e);
        }
    }

    private static HfArchitecture architecture(ConfigFields f) {
        JsonNode archs = f.node("architectures");
        if (archs == null) {
            throw f.error("architectures", "is required but missing (expected e.g. [\"LlamaForCausalLM\"])");
        }
        if (!archs.isArray() || archs.isEmpty() || !archs.get(0).isTextual()) {
            throw f.error("architectures", "must be a non-empty list of class names");
        }
        String name = archs.get(0).textValue();
        return HfArchitecture.byClassName(name).orElseThrow(() -> new LlmoptException("unsupported architecture "
                + name.replaceAll("\\p{Cntrl}", " ") + " in " + f.source() + ", expected one of " + HfArchitecture.classNames()));
    }

    /** Empty for {@code "rope_type": "default"} (transformers' name for "no scaling"). */
    private static RopeScaling ropeScaling(ConfigFields r) {
        Optional<String> ropeType = r.optionalString("rope_type");
        Optional<String> legacyType = r.optionalString("type");
        if (ropeType.isPresent() && legacyType.isPresent() && !ropeType.get().equals(legacyType.get())) {
            throw r.error("rope_type", "(\"" + ropeType.get() + "\") disagrees with its legacy spelling 'type' (\"" + legacyType.get() + "\")");
        }
        String name = ropeType.or(() -> legacyType).orElseThrow(() -> r.error("rope_type", "is required but missing"));
        if (name.equals("default")) {
            return null;
        }
        RopeScaling.Type type = RopeScaling.Type.byJsonName(name).orElseThrow(() -> new LlmoptException(r.source()
                + ": unsupported rope_scaling type \"" + name.replaceAll("\\p{Cntrl}", " ") + "\", expected one of " + RopeScaling.Type.jsonNames()));
        try {
            return new RopeScaling(type, r.requiredDouble("factor"), r.optionalDouble("low_freq_factor"),
                    r.optionalDouble("high_freq_factor"), r.optionalInt("original_max_position_embeddings"),
                    r.optionalDouble("attention_factor"), r.optionalDouble("beta_fast"), r.optionalDouble("beta_slow"));
        } catch (LlmoptException e) {
            throw e.getMessage().startsWith(r.source()) ? e : new LlmoptException(r.source() + ": " + e.getMessage(), e);
        }
    }

    static String toJson(HfConfig c) {
        Map<String, Object> m = new TreeMap<>();
        m.put("architectures", List.of(c.architecture().className()));
        m.put("model_type", c.modelType());
        m.put("hidden_act", c.hiddenAct());
        m.put("hidden_size", c.hiddenSize());
        m.put("intermediate_size", c.intermediateSize());
        m.put("num_hidden_layers", c.numHiddenLayers());
        m.put("num_attention_heads", c.numAttentionHeads());
        m.put("num_key_value_heads", c.numKeyValueHeads());
        m.put("head_dim", c.headDim());
        m.put("vocab_size", c.vocabSize());
        m.put("max_position_embeddings", c.maxPositionEmbeddings());
        m.put("rms_norm_eps", c.rmsNormEps());
        m.put("rope_theta", c.ropeTheta());
        m.put("rope_scaling", c.ropeScaling().map(HfConfigJson::ropeScalingMap).orElse(null));
        m.put("tie_word_embeddings", c.tieWordEmbeddings());
        m.put("attention_bias", c.attentionBias());
        m.put("mlp_bias", c.mlpBias());
        if (c.architecture() != HfArchitecture.LLAMA) {
            m.put("sliding_window", c.slidingWindow().isPresent() ? c.slidingWindow().getAsInt() : null);
        }
        if (c.architecture() == HfArchitecture.QWEN2) {
            m.put("use_sliding_window", c.useSlidingWindow());
            c.maxWindowLayers().ifPresent(v -> m.put("max_window_layers", v));
        }
        c.bosTokenId().ifPresent(v -> m.put("bos_token_id", v));
        if (!c.eosTokenIds().isEmpty()) {
            m.put("eos_token_id", c.eosTokenIds().size() == 1 ? c.eosTokenIds().getFirst() : c.eosTokenIds());
        }
        c.torchDtype().ifPresent(v -> m.put("torch_dtype", v));
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        printer.indentArraysWith(indenter);
        printer.indentObjectsWith(indenter);
        try {
            return JSON.writer(printer).writeValueAsString(m) + "\n";
        } catch (JsonProcessingException e) {
            throw new LlmoptException("cannot serialize config: " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, Object> ropeScalingMap(RopeScaling r) {
        Map<String, Object> m = new TreeMap<>();
        m.put("rope_type", r.type().jsonName());
        m.put("factor", r.factor());
        r.lowFreqFactor().ifPresent(v -> m.put("low_freq_factor", v));
        r.highFreqFactor().ifPresent(v -> m.put("high_freq_factor", v));
        r.originalMaxPositionEmbeddings().ifPresent(v -> m.put("original_max_position_embeddings", v));
        r.attentionFactor().ifPresent(v -> m.put("attention_factor", v));
        r.betaFast().ifPresent(v -> m.put("beta_fast", v));
        r.betaSlow().ifPresent(v -> m.put("beta_slow", v));
        return m;
    }

    /** Writes to a temporary file beside the target and renames it into place, so readers never see half a file. */
    static void write(HfConfig c, Path path) {
        Path file = Files.isDirectory(path) ? path.resolve(HfConfig.FILE_NAME) : path;
        Path dir = file.toAbsolutePath().getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            Files.writeString(temp, toJson(c), StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // keep the original error
                }
            }
            throw new LlmoptException(file + ": cannot write config: " + e, e);
        }
    }
}
