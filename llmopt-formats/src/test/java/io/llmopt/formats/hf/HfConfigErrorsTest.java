package io.llmopt.formats.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad config.json inputs: one-line messages naming the file and the field. */
class HfConfigErrorsTest {
    private static final String BASE = """
            "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64, "intermediate_size": 172,
            "num_hidden_layers": 5, "num_attention_heads": 8, "num_key_value_heads": 4, "vocab_size": 512,
            "max_position_embeddings": 512, "rms_norm_eps": 1e-5""";

    /** The base config with {@code field} replaced by {@code value} (or removed when value is null). */
    private static String with(String field, String value) {
        String json = BASE.replaceAll("\"" + field + "\": (\\[[^]]*]|[^,]+)(,\\s*)?", "");
        json = json.strip().replaceAll(",\\s*$", "");
        return "{" + json + (value == null ? "" : ", \"" + field + "\": " + value) + "}";
    }

    private static String error(String json) {
        try {
            HfConfig.parse(json, "m/config.json");
        } catch (LlmoptException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage();
        }
        throw new AssertionError("expected rejection of " + json);
    }

    @Test
    void baseIsValid() {
        assertThat(HfConfig.parse(with("rope_theta", "10000"), "x").headDim()).isEqualTo(8);
    }

    @Test
    void unsupportedArchitecture() {
        assertThat(error(with("architectures", "[\"GPT2LMHeadModel\"]"))).isEqualTo(
                "unsupported architecture GPT2LMHeadModel in m/config.json, expected one of LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        hidden_size             | <absent>                   | m/config.json: field 'hidden_size' is required but missing
        hidden_size             | "64"                       | m/config.json: field 'hidden_size' must be an integer, found "64"
        hidden_size             | 64.5                       | m/config.json: field 'hidden_size' must be an integer, found 64.5
        hidden_size             | 0                          | m/config.json: field 'hidden_size' must be a positive integer, got 0
        vocab_size              | 3000000000                 | m/config.json: field 'vocab_size' must be an integer, found 3000000000
        rms_norm_eps            | <absent>                   | m/config.json: field 'rms_norm_eps' is required but missing
        rms_norm_eps            | -1e-5                      | m/config.json: field 'rms_norm_eps' must be a positive finite number, got -1.0E-5
        num_key_value_heads     | 3                          | m/config.json: field 'num_key_value_heads' (3) must divide num_attention_heads (8)
        head_dim                | 7                          | m/config.json: field 'head_dim' (7) must be even for rotary embeddings
        hidden_act              | "gelu"                     | m/config.json: field 'hidden_act' must be "silu" for LlamaForCausalLM, got "gelu"
        tie_word_embeddings     | "true"                     | m/config.json: field 'tie_word_embeddings' must be true or false, found "true"
        eos_token_id            | [1, "2"]                   | m/config.json: field 'eos_token_id' must be an integer or a list of integers, found [1,"2"]
        torch_dtype             | "float8"                   | m/config.json: field 'torch_dtype' must be one of float32, float16, bfloat16, float64, got "float8"
        model_type              | "mistral"                  | m/config.json: field 'model_type' is "mistral" but architectures names LlamaForCausalLM (model_type "llama")
        architectures           | []                         | m/config.json: field 'architectures' must be a non-empty list of class names
        architectures           | <absent>                   | m/config.json: field 'architectures' is required but missing (expected e.g. ["LlamaForCausalLM"])
        rope_scaling            | {"rope_type": "longrope", "factor": 4} | m/config.json: unsupported rope_scaling type "longrope", expected one of linear, dynamic, llama3, yarn
        rope_scaling            | {"rope_type": "llama3", "factor": 8}   | m/config.json: rope_scaling: llama3 needs factor, low_freq_factor, high_freq_factor and original_max_position_embeddings
        rope_scaling            | {"rope_type": "linear"}                | m/config.json: field 'rope_scaling.factor' is required but missing
        rope_scaling            | {"rope_type": "linear", "factor": "2"} | m/config.json: field 'rope_scaling.factor' must be a number, found "2"
        rope_scaling            | {"factor": 2.0}                        | m/config.json: field 'rope_scaling.rope_type' is required but missing
        rope_scaling            | {"type": "linear", "rope_type": "dynamic", "factor": 2} | m/config.json: field 'rope_scaling.rope_type' ("dynamic") disagrees with its legacy spelling 'type' ("linear")
        rope_scaling            | {"rope_type": "llama3", "factor": 8, "low_freq_factor": 4, "high_freq_factor": 1, "original_max_position_embeddings": 8192} | m/config.json: rope_scaling: high_freq_factor (1.0) must be greater than low_freq_factor (4.0)
        rope_scaling            | [1]                                    | m/config.json: field 'rope_scaling' must be an object, found [1]
        """)
    void fieldErrors(String field, String value, String expected) {
        assertThat(error(with(field, value.equals("<absent>") ? null : value))).isEqualTo(expected);
    }

    @Test
    void headDimMustBeDerivableWhenAbsent() {
        assertThat(error(with("hidden_size", "60"))).isEqualTo(
                "m/config.json: field 'head_dim' is absent and hidden_size (60) is not divisible by num_attention_heads (8)");
    }

    @Test
    void jsonProblems() {
        assertThat(error("{\"a\": 1, \"a\": 2}")).startsWith("m/config.json: not valid JSON at line 1: Duplicate field 'a'");
        assertThat(error("{\"a\": ")).startsWith("m/config.json: not valid JSON at line 1: Unexpected end-of-input");
        assertThat(error("[1]")).isEqualTo("m/config.json: expected a JSON object");
        assertThatThrownBy(() -> HfConfig.read(Path.of("/nonexistent/dir/config.json"))).isInstanceOf(LlmoptException.class)
                .hasMessage("/nonexistent/dir/config.json: no such config file");
    }

    @Test
    void ropeScalingVariantsThatAreAccepted() {
        HfConfig legacy = HfConfig.parse(with("rope_scaling", "{\"type\": \"linear\", \"factor\": 2.0}"), "x");
        assertThat(legacy.ropeScaling()).hasValue(RopeScaling.linear(2.0));
        assertThat(HfConfig.parse(with("rope_scaling", "{\"rope_type\": \"default\"}"), "x").ropeScaling()).isEmpty();
        assertThat(HfConfig.parse(with("rope_scaling", "null"), "x").ropeScaling()).isEmpty();
        HfConfig yarn = HfConfig.parse(with("rope_scaling", "{\"factor\": 4.0, \"original_max_position_embeddings\": 32768, \"type\": \"yarn\"}"), "x");
        assertThat(yarn.ropeScaling().orElseThrow().type()).isEqualTo(RopeScaling.Type.YARN);
        assertThat(yarn.ropeScaling().orElseThrow().originalMaxPositionEmbeddings()).hasValue(32768);
        assertThat(HfConfig.parse(yarn.toJson(), "x")).isEqualTo(yarn);
        assertThat(HfConfig.parse(with("rope_scaling", "{\"rope_type\": \"dynamic\", \"factor\": 2}"), "x").ropeScaling())
                .hasValue(RopeScaling.dynamic(2.0));
    }

    @Test
    void defaultsAndNulls() {
        HfConfig c = HfConfig.parse(with("num_key_value_heads", "null"), "x");
        assertThat(c.numKeyValueHeads()).isEqualTo(8);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.bosTokenId()).isEmpty();
        assertThat(c.eosTokenIds()).isEmpty();
        assertThat(c.torchDtype()).isEmpty();
        HfConfig newDtypeName = HfConfig.parse(with("dtype", "\"bfloat16\""), "x");
        assertThat(newDtypeName.torchDtype()).hasValue("bfloat16");
        String mistral = with("model_type", "\"mistral\"").replace("LlamaForCausalLM", "MistralForCausalLM");
        assertThat(HfConfig.parse(mistral, "x").slidingWindow()).as("transformers' default").hasValue(4096);
        assertThat(HfConfig.parse(mistral.replace("}", ", \"sliding_window\": null}"), "x").slidingWindowForLayer(0)).isEmpty();
        String qwen = with("model_type", "\"qwen2\"").replace("LlamaForCausalLM", "Qwen2ForCausalLM");
        assertThat(HfConfig.parse(qwen, "x").attentionBias()).isTrue();
        assertThat(HfConfig.parse(qwen.replace("}", ", \"attention_bias\": false}"), "x").attentionBias()).isFalse();
    }
}
