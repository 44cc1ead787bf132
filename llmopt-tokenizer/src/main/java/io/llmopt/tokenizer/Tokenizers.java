package io.llmopt.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.formats.gguf.GgufFile;
import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.tensor.LlmoptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Loaders. Bad or missing input fails with a one-line {@link LlmoptException} naming the file and what was expected. */
public final class Tokenizers {
    private Tokenizers() {
    }

    /**
     * A SentencePiece {@code tokenizer.model} (BPE or unigram vocabulary), tokenized with llama.cpp's score-merge
     * algorithm: BOS added, dummy prefix as the model's normalizer says, byte fallback. As in llama.cpp, the
     * normalizer's other rules (remove_extra_whitespaces, precompiled charsmap) are not applied.
     */
    public static Tokenizer fromSentencePieceModel(Path tokenizerModel) {
        return fromSentencePieceModel(tokenizerModel, TokenizerConfig.EMPTY);
    }

    static Tokenizer fromSentencePieceModel(Path tokenizerModel, TokenizerConfig config) {
        SentencePieceModelReader.Model m = SentencePieceModelReader.read(tokenizerModel);
        if (m.modelType() != SentencePieceModelReader.Model.BPE && m.modelType() != SentencePieceModelReader.Model.UNIGRAM) {
            throw new LlmoptException(tokenizerModel + ": unsupported SentencePiece model_type " + m.modelType()
                    + " (supported: 1 unigram, 2 BPE)");
        }
        String[] pieces = m.pieces().toArray(String[]::new);
        Vocabulary vocabulary = new Vocabulary(pieces, m.scores(), m.types());
        int n = pieces.length;
        int bos = m.bosId() >= 0 && m.bosId() < n ? m.bosId() : -1;
        int eos = m.eosId() >= 0 && m.eosId() < n ? m.eosId() : -1;
        int unk = m.unkId() >= 0 && m.unkId() < n ? m.unkId() : -1;
        int pad = m.padId() >= 0 && m.padId() < n ? m.padId() : -1;
        Set<Integer> eog = eos >= 0 ? Set.of(eos) : Set.of();
        SpmTokenizer.Options options = new SpmTokenizer.Options(
                config.addBosToken() == null || config.addBosToken(),
                config.addEosToken() != null && config.addEosToken(), m.addDummyPrefix());
        return new SpmTokenizer(vocabulary, new BaseTokenizer.SpecialIds(bos, eos, eog, pad), options, unk, List.of(),
                new SpmTokenizer.SentencePieceSpec(m.modelType(), m.byteFallback(), m.removeExtraWhitespaces()));
    }

    /** An HF {@code tokenizer.json} (BPE models: byte-level or SentencePiece-style) and its optional config. */
    public static Tokenizer fromTokenizerJson(Path tokenizerJson, Path tokenizerConfigJsonOrNull) {
        TokenizerConfig config = tokenizerConfigJsonOrNull == null ? TokenizerConfig.EMPTY
                : TokenizerConfig.read(tokenizerConfigJsonOrNull);
        return TokenizerJsonLoader.load(tokenizerJson, config, Set.of());
    }

    /**
     * GGUF {@code tokenizer.ggml.*} metadata: model "llama" (SentencePiece-style), "gpt2" (byte-level BPE with the
     * {@code tokenizer.ggml.pre} regexes) or "bert" (WordPiece), with llama.cpp's defaults.
     */
    public static Tokenizer fromGguf(GgufMetadata metadata) {
        return GgufTokenizerLoader.load(metadata);
    }

    /** llama2.c's {@code tokenizer.bin} (the vocabulary size is not stored in the file; pass the model's). */
    public static Tokenizer fromLlama2c(Path tokenizerBin, int vocabSize) {
        Vocabulary vocabulary = Llama2cTokenizerReader.read(tokenizerBin, vocabSize);
        int bos = vocabSize > 1 ? 1 : -1;
        int eos = vocabSize > 2 ? 2 : -1;
        return new SpmTokenizer(vocabulary, new BaseTokenizer.SpecialIds(bos, eos, eos >= 0 ? Set.of(eos) : Set.of()),
                new SpmTokenizer.Options(true, false, true), 0, List.of());
    }

    /**
     * An HF model directory ({@code tokenizer.json} if present, else {@code tokenizer.model}, with
     * {@code tokenizer_config.json} and {@code generation_config.json}'s extra end-of-generation ids when present),
     * or a single {@code tokenizer.json}, {@code *.model} or {@code *.gguf} file (its tokenizer.ggml metadata).
     */
    public static Tokenizer load(Path modelDirOrFile) {
        if (Files.isDirectory(modelDirOrFile)) {
            Path json = modelDirOrFile.resolve("tokenizer.json");
            Path model = modelDirOrFile.resolve("tokenizer.model");
            Path configFile = modelDirOrFile.resolve("tokenizer_config.json");
            TokenizerConfig config = Files.isRegularFile(configFile) ? TokenizerConfig.read(configFile)
                    : TokenizerConfig.EMPTY;
            if (Files.isRegularFile(json)) {
                return TokenizerJsonLoader.load(json, config, generationEos(modelDirOrFile));
            }
            if (Files.isRegularFile(model)) {
                return fromSentencePieceModel(model, config);
            }
            throw new LlmoptException(modelDirOrFile + ": no tokenizer.json or tokenizer.model in this directory");
        }
        if (!Files.exists(modelDirOrFile)) {
            throw new LlmoptException(modelDirOrFile + ": tokenizer file or directory not found");
        }
        String name = modelDirOrFile.getFileName().toString();
        if (name.endsWith(".json")) {
            Path sibling = modelDirOrFile.resolveSibling("tokenizer_config.json");
            return fromTokenizerJson(modelDirOrFile, Files.isRegularFile(sibling) ? sibling : null);
        }
        if (name.endsWith(".model")) {
            return fromSentencePieceModel(modelDirOrFile);
        }
        if (name.endsWith(".gguf")) {
            try (GgufFile gguf = GgufFile.open(modelDirOrFile)) {
                return fromGguf(gguf.metadata());
            }
        }
        throw new LlmoptException(modelDirOrFile + ": not a tokenizer (expected a directory, tokenizer.json, "
                + "tokenizer.model or a .gguf file; use fromLlama2c for llama2.c tokenizer.bin)");
    }

    /** {@code eos_token_id} (an int or a list) of a generation_config.json next to the tokenizer, if any. */
    private static Set<Integer> generationEos(Path dir) {
        Path file = dir.resolve("generation_config.json");
        if (!Files.isRegularFile(file)) {
            return Set.of();
        }
        JsonNode eos = Json.read(file, "generation_config.json").get("eos_token_id");
        Set<Integer> out = new HashSet<>();
        if (eos != null && eos.isInt()) {
            out.add(eos.asInt());
        } else if (eos != null && eos.isArray()) {
            eos.forEach(e -> out.add(e.asInt()));
        }
        return out;
    }
}
