package io.llmopt.server;

import io.llmopt.engine.BatchingEngine;
import io.llmopt.engine.EngineConfig;
import io.llmopt.engine.InferenceEngine;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.testkit.SharedData;
import io.llmopt.tokenizer.ChatTemplate;
import java.nio.file.Path;

/** The real tiny model of the shared folder, served by an engine, with a simple chat template (it has none). */
final class TestModels {
    static final String NAME = "stories";
    /** "role: content" lines, then "assistant:" — written for these tests. */
    static final String TEMPLATE = "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + '\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ 'assistant:' }}{% endif %}";

    private TestModels() {
    }

    static Path stories() {
        return SharedData.require("models/stories260K/stories260K-f32.gguf");
    }

    static EngineConfig config(int maxQueue) {
        return new EngineConfig(8, 512, 64, 16, maxQueue, 128, true, 1);
    }

    /** The engine under test: the real continuous-batching engine. */
    static InferenceEngine engine(LoadedModel model, EngineConfig config) {
        return BatchingEngine.start(model, config);
    }

    static ServedModel served(InferenceEngine engine) {
        LoadedModel m = engine.model();
        String bos = m.tokenizer().bos().isPresent() ? m.tokenizer().piece(m.tokenizer().bos().getAsInt()) : "";
        String eos = m.tokenizer().eos().isPresent() ? m.tokenizer().piece(m.tokenizer().eos().getAsInt()) : "";
        return ServedModel.of(NAME, engine).withChatTemplate(new ChatTemplate(TEMPLATE, bos, eos));
    }

    static LoadedModel load() {
        return ModelLoader.load(stories());
    }
}
