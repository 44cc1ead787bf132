package io.llmopt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import org.junit.jupiter.api.Test;

class ModelPresetsTest {

    @Test
    void parameterCountsMatchThePublishedModels() {
        // published sizes: TinyLlama 1,100,048,384; Llama-2-7B 6,738,415,616; Qwen2.5-0.5B 494,032,768;
        // Llama-3.2-1B 1,235,814,400; Mistral-7B 7,241,732,096
        assertThat(ModelPresets.get("tinyllama-1.1b").parameterCount()).isEqualTo(1_100_048_384L);
        assertThat(ModelPresets.get("llama-2-7b").parameterCount()).isEqualTo(6_738_415_616L);
        assertThat(ModelPresets.get("qwen2.5-0.5b").parameterCount()).isEqualTo(494_032_768L);
        assertThat(ModelPresets.get("llama-3.2-1b").parameterCount()).isEqualTo(1_235_814_400L);
        assertThat(ModelPresets.get("mistral-7b").parameterCount()).isEqualTo(7_241_732_096L);
        assertThat(ModelPresets.get("stories260k").parameterCount()).isEqualTo(260_032L - 0);
    }

    @Test
    void unknownPresetNamesTheChoices() {
        assertThatThrownBy(() -> ModelPresets.get("gpt-5")).isInstanceOf(LlmoptException.class)
                .hasMessageContaining("tinyllama-1.1b");
    }
}
