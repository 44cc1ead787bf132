package io.llmopt.cli.train;

import io.llmopt.formats.hf.HfConfig;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.ModelPresets;
import io.llmopt.model.loader.HfConfigs;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a distillation student is made: a model file, a config.json, a preset, or every K-th layer of its teacher
 * (optionally with only the N most important feed-forward neurons). Exactly one of the four sources is set.
 * In a {@code --chain} a spec is written {@code every:K[+ffn:N]}, {@code preset:NAME}, {@code config:FILE} or
 * {@code model:FILE}.
 */
record StudentSpec(Path model, Path config, String preset, Integer everyK, Integer ffn) {

    /** One stage of {@code --chain}; {@code stage} (1-based) only names it in errors. */
    static StudentSpec parse(String text, int stage) {
        String s = text.strip();
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon);
        String value = colon < 0 ? "" : s.substring(colon + 1);
        if (value.isEmpty()) {
            throw bad(text, stage);
        }
        return switch (kind) {
            case "every" -> {
                int plus = value.indexOf('+');
                Integer ffn = null;
                if (plus >= 0) {
                    String rest = value.substring(plus + 1);
                    if (!rest.startsWith("ffn:")) {
                        throw bad(text, stage);
                    }
                    ffn = positive(rest.substring(4), text, stage);
                    value = value.substring(0, plus);
                }
                yield new StudentSpec(null, null, null, positive(value, text, stage), ffn);
            }
            case "preset" -> new StudentSpec(null, null, value, null, null);
            case "config" -> new StudentSpec(null, existing(value, stage), null, null, null);
            case "model" -> new StudentSpec(existing(value, stage), null, null, null, null);
            default -> throw bad(text, stage);
        };
    }

    private static LlmoptException bad(String text, int stage) {
        return new LlmoptException("--chain stage " + stage + ": '" + text.strip() + "' is not a student; use every:K[+ffn:N], "
                + "preset:NAME, config:FILE or model:FILE");
    }

    private static int positive(String v, String text, int stage) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw bad(text, stage);
    }

    private static Path existing(String v, int stage) {
        Path p = Path.of(v);
        if (!Files.exists(p)) {
            throw new LlmoptException("--chain stage " + stage + ": " + v + ": no such file or directory");
        }
        return p;
    }

    /** How the run log names the student's origin. */
    String describe() {
        return model != null ? model.toString() : config != null ? config.toString() : preset != null ? "preset " + preset
                : "every " + everyK + "-th teacher layer" + (ffn != null ? ", " + ffn + " feed-forward neurons" : "");
    }

    /**
     * The student's shape given its teacher's, checked without building any weights: layer and width bounds, and
     * the shared vocabulary. Lets a whole chain be validated before anything is trained or written.
     */
    LlamaConfig shape(LlamaConfig teacher, Tokenizer teacherTokenizer) {
        if (model != null) {
            try (LoadedModel m = ModelLoader.load(model)) {
                DistillCommand.sameVocabulary(teacherTokenizer, m.tokenizer(), teacher.vocabSize(), m.config().vocabSize());
                return m.config();
            }
        }
        if (everyK != null) {
            if (everyK > teacher.numLayers()) {
                throw new LlmoptException("every " + everyK + "-th layer of a teacher with " + teacher.numLayers()
                        + " layers: K must be in 1.." + teacher.numLayers());
            }
            int ff = ffn == null ? teacher.intermediateSize() : ffn;
            if (ff > teacher.intermediateSize()) {
                throw new LlmoptException("ffn:" + ffn + " must be in 1.." + teacher.intermediateSize() + " (the teacher's intermediate size)");
            }
            return new LlamaConfig(teacher.architecture(), teacher.hiddenSize(), ff, (teacher.numLayers() + everyK - 1) / everyK,
                    teacher.numHeads(), teacher.numKvHeads(), teacher.headDim(), teacher.vocabSize(), teacher.rmsNormEps(),
                    teacher.ropeTheta(), teacher.ropeDim(), teacher.ropeLayout(), teacher.ropeScaling(), teacher.contextLength(),
                    teacher.tiedEmbeddings(), teacher.attentionBias(), teacher.slidingWindow());
        }
        LlamaConfig c = randomConfig();
        if (c.vocabSize() != teacher.vocabSize()) {
            throw new LlmoptException("teacher and student must share the vocabulary: the teacher has " + teacher.vocabSize()
                    + " tokens, the student config " + c.vocabSize());
        }
        return c;
    }

    /** The config of a random student (preset or config.json). */
    LlamaConfig randomConfig() {
        return preset != null ? ModelPresets.get(preset) : HfConfigs.toLlamaConfig(HfConfig.read(config), config.toString());
    }
}
