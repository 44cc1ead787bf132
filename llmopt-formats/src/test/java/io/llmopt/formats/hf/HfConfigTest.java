package io.llmopt.formats.hf;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real configs: the shared models' and hand-written copies of published Llama 3.1, Mistral and Qwen2.5 ones. */
class HfConfigTest {
    @TempDir
    Path tmp;

    static HfConfig resource(String name) throws IOException {
        try (InputStream in = HfConfigTest.class.getResourceAsStream(name)) {
            return HfConfig.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
        }
    }

    @Test
    void stories260k() {
        HfConfig c = HfConfig.read(SharedData.require("models/stories260K/stories260K-hf"));
        assertThat(c.architecture()).isEqualTo(HfArchitecture.LLAMA);
        assertThat(c.modelType()).isEqualTo("llama");
        assertThat(c.hiddenSize()).isEqualTo(64);
        assertThat(c.intermediateSize()).isEqualTo(172);
        assertThat(c.numHiddenLayers()).isEqualTo(5);
        assertThat(c.numAttentionHeads()).isEqualTo(8);
        assertThat(c.numKeyValueHeads()).isEqualTo(4);
        assertThat(c.queryGroupSize()).isEqualTo(2);
        assertThat(c.headDim()).isEqualTo(8);
        assertThat(c.vocabSize()).isEqualTo(512);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(512);
        assertThat(c.rmsNormEps()).isEqualTo(1e-5);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.ropeScaling()).isEmpty();
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.mlpBias()).isFalse();
        assertThat(c.slidingWindowForLayer(0)).isEmpty();
        assertThat(c.bosTokenId()).hasValue(1);
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(c.hiddenAct()).isEqualTo("silu");
        assertThat(c.torchDtype()).hasValue("float32");
    }

    @Test
    void llama2xsAndRefTinystories() {
        HfConfig xs = HfConfig.read(SharedData.require("models/llama2xs/llama2xs-hf/config.json"));
        assertThat(List.of(xs.hiddenSize(), xs.intermediateSize(), xs.numHiddenLayers(), xs.numAttentionHeads(), xs.numKeyValueHeads(),
                xs.headDim(), xs.vocabSize(), xs.maxPositionEmbeddings())).containsExactly(64, 192, 5, 8, 4, 8, 512, 256);
        HfConfig ref = HfConfig.read(SharedData.require("models/ref-tinystories/ref-tinystories-hf"));
        assertThat(List.of(ref.hiddenSize(), ref.intermediateSize(), ref.numHiddenLayers(), ref.numAttentionHeads(), ref.numKeyValueHeads(),
                ref.headDim(), ref.vocabSize(), ref.maxPositionEmbeddings())).containsExactly(256, 768, 5, 8, 4, 32, 512, 256);
        assertThat(ref.tieWordEmbeddings()).isTrue();
    }

    @Test
    void llama31Instruct() throws IOException {
        HfConfig c = resource("llama-3.1-8b-instruct.config.json");
        assertThat(c.architecture()).isEqualTo(HfArchitecture.LLAMA);
        assertThat(c.hiddenSize()).isEqualTo(4096);
        assertThat(c.intermediateSize()).isEqualTo(14336);
        assertThat(c.numHiddenLayers()).isEqualTo(32);
        assertThat(c.numKeyValueHeads()).isEqualTo(8);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.vocabSize()).isEqualTo(128256);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(131072);
        assertThat(c.ropeTheta()).isEqualTo(500000.0);
        assertThat(c.ropeScaling()).hasValue(RopeScaling.llama3(8.0, 1.0, 4.0, 8192));
        RopeScaling r = c.ropeScaling().orElseThrow();
        assertThat(r.type()).isEqualTo(RopeScaling.Type.LLAMA3);
        assertThat(r.lowFreqFactor()).isEqualTo(OptionalDouble.of(1.0));
        assertThat(r.originalMaxPositionEmbeddings()).isEqualTo(OptionalInt.of(8192));
        assertThat(c.bosTokenId()).hasValue(128000);
        assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.qkvBias()).isFalse();
        assertThat(c.outputProjectionBias()).isFalse();
        assertThat(c.torchDtype()).hasValue("bfloat16");
    }

    @Test
    void mistral7b() throws IOException {
        HfConfig c = resource("mistral-7b-v0.1.config.json");
        assertThat(c.architecture()).isEqualTo(HfArchitecture.MISTRAL);
        assertThat(c.modelType()).isEqualTo("mistral");
        assertThat(c.slidingWindow()).hasValue(4096);
        assertThat(IntStream.range(0, 32).mapToObj(c::slidingWindowForLayer)).allMatch(w -> w.equals(OptionalInt.of(4096)));
        assertThat(c.numKeyValueHeads()).isEqualTo(8);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(32768);
        assertThat(c.rmsNormEps()).isEqualTo(1e-5);
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(c.bosTokenId()).hasValue(1);
    }

    @Test
    void qwen25() throws IOException {
        HfConfig c = resource("qwen2.5-0.5b.config.json");
        assertThat(c.architecture()).isEqualTo(HfArchitecture.QWEN2);
        assertThat(c.hiddenSize()).isEqualTo(896);
        assertThat(c.numAttentionHeads()).isEqualTo(14);
        assertThat(c.numKeyValueHeads()).isEqualTo(2);
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.attentionBias()).as("Qwen2 has q/k/v biases without saying so").isTrue();
        assertThat(c.qkvBias()).isTrue();
        assertThat(c.outputProjectionBias()).isFalse();
        assertThat(c.ropeTheta()).isEqualTo(1_000_000.0);
        assertThat(c.rmsNormEps()).isEqualTo(1e-6);
        assertThat(c.slidingWindow()).hasValue(32768);
        assertThat(c.useSlidingWindow()).isFalse();
        assertThat(c.maxWindowLayers()).hasValue(24);
        assertThat(c.slidingWindowForLayer(23)).as("use_sliding_window is false").isEmpty();
        assertThat(c.eosTokenIds()).containsExactly(151643);
    }

    @Test
    void qwen2SlidingWindowAppliesFromMaxWindowLayers() throws IOException {
        HfConfig c = resource("qwen2.5-0.5b.config.json").toBuilder().useSlidingWindow(true).maxWindowLayers(21).build();
        assertThat(c.slidingWindowForLayer(20)).isEmpty();
        assertThat(c.slidingWindowForLayer(21)).hasValue(32768);
        assertThat(c.slidingWindowForLayer(23)).hasValue(32768);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-3.1-8b-instruct.config.json", "mistral-7b-v0.1.config.json", "qwen2.5-0.5b.config.json"})
    void toJsonRoundTripsAndWritesAtomically(String name) throws IOException {
        HfConfig c = resource(name);
        String json = c.toJson();
        assertThat(HfConfig.parse(json, "round trip")).isEqualTo(c);
        assertThat(json).contains("\"architectures\": [").contains("\"model_type\": \"" + c.modelType() + "\"").endsWith("}\n");
        c.write(tmp);
        assertThat(HfConfig.read(tmp)).isEqualTo(c);
        assertThat(Files.readString(tmp.resolve("config.json"))).isEqualTo(json);
        try (var files = Files.list(tmp)) {
            assertThat(files).containsExactly(tmp.resolve("config.json"));
        }
    }

    @Test
    void sharedConfigRoundTrips() {
        HfConfig c = HfConfig.read(SharedData.require("models/stories260K/stories260K-hf"));
        assertThat(HfConfig.parse(c.toJson(), "x")).isEqualTo(c);
    }

    @Test
    void builderCreatesAConfigForANewModel() {
        HfConfig c = HfConfig.builder(HfArchitecture.LLAMA).hiddenSize(64).intermediateSize(172).numHiddenLayers(5)
                .numAttentionHeads(8).numKeyValueHeads(4).vocabSize(512).maxPositionEmbeddings(512).rmsNormEps(1e-5)
                .tieWordEmbeddings(true).bosTokenId(1).eosTokenIds(List.of(2)).torchDtype("float32").build();
        assertThat(c.headDim()).isEqualTo(8);
        assertThat(c).isEqualTo(HfConfig.read(SharedData.require("models/stories260K/stories260K-hf")));
    }
}
