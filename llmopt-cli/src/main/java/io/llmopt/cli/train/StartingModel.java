package io.llmopt.cli.train;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.loader.TokenizerFiles;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.GgufTokenizerExport;
import io.llmopt.tokenizer.Tokenizer;
import io.llmopt.train.ModelParameters;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model a run starts from: trainable parameters (a float32 copy; the file is closed afterwards), its
 * tokenizer, the tokenizer's GGUF keys for the output model, and where tokenizer files for a Hugging Face output
 * can be copied from.
 *
 * @param tokenizerSource a tokenizer.model / tokenizer.json file or a Hugging Face directory, or null
 */
record StartingModel(String name, ModelParameters params, Tokenizer tokenizer, GgufMetadata tokenizerKeys, Path tokenizerSource) {

    /** A model file (any format and weight type) with its own tokenizer or {@code tokenizerOverride}. */
    static StartingModel load(Path model, Path tokenizerOverride) {
        try (LoadedModel m = ModelLoader.load(model, tokenizerOverride)) {
            return from(m, model, tokenizerOverride, ModelParameters.fromWeights(m.config(), m.weights()), baseName(model));
        }
    }

    /** Given parameters with the tokenizer of an open model (a teacher's for its student). */
    static StartingModel from(LoadedModel m, Path model, Path tokenizerOverride, ModelParameters params, String name) {
        GgufMetadata keys;
        Path source;
        if (tokenizerOverride != null) {
            keys = keysOf(tokenizerOverride, m.tokenizer());
            source = tokenizerOverride;
        } else {
            keys = m.format().equals("gguf") ? TokenizerFiles.ggufTokenizerKeys(model) : GgufTokenizerExport.toGguf(m.tokenizer());
            Object file = m.fileMetadata().get("tokenizer.file");
            source = m.format().equals("hf") ? model : file != null ? Path.of(file.toString()) : null;
        }
        checkVocabulary(m.tokenizer(), params.config(), model.toString());
        return new StartingModel(name, params, m.tokenizer(), keys, source);
    }

    /** Random weights of a config, with a tokenizer from a file (required: training text must be tokenized). */
    static StartingModel random(String name, LlamaConfig config, Path tokenizerFile, long seed) {
        if (tokenizerFile == null) {
            throw new LlmoptException("a randomly initialised model needs --tokenizer FILE (tokenizer.model, tokenizer.json, "
                    + "a llama2.c tokenizer .bin or a GGUF vocabulary) to tokenize the training text");
        }
        if (!Files.exists(tokenizerFile)) {
            throw new LlmoptException(tokenizerFile + ": no such file or directory");
        }
        Tokenizer t = TokenizerFiles.load(tokenizerFile, config.vocabSize());
        checkVocabulary(t, config, name);
        return new StartingModel(name, ModelParameters.random(config, seed), t, keysOf(tokenizerFile, t), tokenizerFile);
    }

    private static GgufMetadata keysOf(Path tokenizerFile, Tokenizer t) {
        return Files.isRegularFile(tokenizerFile) && tokenizerFile.getFileName().toString().endsWith(".gguf")
                ? TokenizerFiles.ggufTokenizerKeys(tokenizerFile) : GgufTokenizerExport.toGguf(t);
    }

    private static void checkVocabulary(Tokenizer t, LlamaConfig c, String what) {
        if (t.vocabSize() > c.vocabSize()) {
            throw new LlmoptException(what + ": the tokenizer has " + t.vocabSize() + " tokens but the model's vocab_size is " + c.vocabSize());
        }
    }

    static String baseName(Path p) {
        String n = p.toAbsolutePath().normalize().getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
