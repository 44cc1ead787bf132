package io.llmopt.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes any loaded tokenizer as the files of a Hugging Face model directory, which {@link Tokenizers#load} (and
 * transformers) read back:
 *
 * <ul>
 *   <li>SentencePiece-style vocabularies ({@link SpmTokenizer}: from tokenizer.model, GGUF {@code llama}, llama2.c)
 *       as {@code tokenizer.model} (a ModelProto: pieces with score and type, trainer_spec with model type, byte
 *       fallback and special ids, normalizer_spec with add_dummy_prefix and remove_extra_whitespaces as the source
 *       had them; see {@link SentencePieceModelWriter}) plus a {@code tokenizer_config.json} for
 *       {@code LlamaTokenizer}.</li>
 *   <li>BPE vocabularies ({@link BpeTokenizer}) as {@code tokenizer.json} (model BPE with vocab, merges and flags;
 *       added tokens; normalizer, pre_tokenizer, post_processor and decoder as the source tokenizer.json had them, or
 *       for a GGUF {@code gpt2} vocabulary the equivalent of its {@code tokenizer.ggml.pre} regexes, a ByteLevel
 *       decoder and a TemplateProcessing that adds what llama.cpp adds) plus a {@code tokenizer_config.json}.</li>
 * </ul>
 * Files are written atomically (temporary file in the same directory, then rename). End-of-generation ids that
 * exist only as GGUF {@code eot}/{@code eom} ids have no place in these files (HF keeps them in
 * generation_config.json) and are not written.
 */
public final class HfTokenizerExport {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private HfTokenizerExport() {
    }

    /**
     * Writes {@code tokenizer} into {@code directory} (created if missing) and returns the files written.
     *
     * @param chatTemplate written as {@code chat_template} of tokenizer_config.json; null for none
     */
    public static List<Path> write(Tokenizer tokenizer, Path directory, String chatTemplate) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new LlmoptException(directory + ": cannot create the directory: " + e.getMessage(), e);
        }
        List<Path> written = new ArrayList<>();
        switch (tokenizer) {
            case SpmTokenizer spm -> {
                written.add(writeAtomically(directory.resolve("tokenizer.model"), sentencePieceModel(spm)));
                written.add(writeJson(directory.resolve("tokenizer_config.json"), spmConfig(spm, chatTemplate)));
            }
            case BpeTokenizer bpe -> {
                written.add(writeJson(directory.resolve("tokenizer.json"), tokenizerJson(bpe)));
                written.add(writeJson(directory.resolve("tokenizer_config.json"), bpeConfig(bpe, chatTemplate)));
            }
            default -> throw new LlmoptException("exporting a " + tokenizer.getClass().getSimpleName()
                    + " as Hugging Face files is not supported (SentencePiece-style and BPE vocabularies only)");
        }
        return written;
    }

    /** The {@code tokenizer.model} bytes of a SentencePiece-style tokenizer. */
    static byte[] sentencePieceModel(SpmTokenizer spm) {
        Vocabulary v = spm.vocabulary();
        List<String> pieces = new ArrayList<>(v.size());
        float[] scores = new float[v.size()];
        TokenType[] types = new TokenType[v.size()];
        for (int id = 0; id < v.size(); id++) {
            pieces.add(v.piece(id));
            scores[id] = v.score(id);
            types[id] = v.type(id) == TokenType.UNDEFINED ? TokenType.NORMAL : v.type(id);
        }
        BaseTokenizer.SpecialIds ids = spm.specialIds();
        SpmTokenizer.SentencePieceSpec spec = spm.spec();
        return SentencePieceModelWriter.write(new SentencePieceModelReader.Model(List.copyOf(pieces), scores, types,
                spec.modelType(), spec.byteFallback(), spm.unknownId(), ids.bos(), ids.eos(), ids.padding(), "identity",
                spm.options().addSpacePrefix(), spec.removeExtraWhitespaces()));
    }

    private static ObjectNode spmConfig(SpmTokenizer spm, String chatTemplate) {
        ObjectNode c = NODES.objectNode();
        c.put("add_bos_token", spm.options().addBos());
        c.put("add_eos_token", spm.options().addEos());
        putToken(c, "bos_token", spm, spm.specialIds().bos());
        putToken(c, "eos_token", spm, spm.specialIds().eos());
        putToken(c, "unk_token", spm, spm.unknownId());
        putToken(c, "pad_token", spm, spm.specialIds().padding());
        c.put("clean_up_tokenization_spaces", false);
        // llama.cpp's tokenization (dummy prefix again after a special token) is transformers' legacy behaviour
        c.put("legacy", true);
        c.putObject("sp_model_kwargs");
        c.put("tokenizer_class", "LlamaTokenizer");
        if (chatTemplate != null) {
            c.put("chat_template", chatTemplate);
        }
        return c;
    }

    /** The {@code tokenizer.json} of a BPE tokenizer (see the class comment). */
    static ObjectNode tokenizerJson(BpeTokenizer bpe) {
        BpeTokenizer.Origin origin = bpe.origin();
        if (origin.llamaCppPre() != null && origin.addSpacePrefix()) {
            throw new LlmoptException("a GGUF BPE vocabulary with add_space_prefix has no tokenizer.json equivalent");
        }
        Vocabulary v = bpe.vocabulary();
        BpeModel model = bpe.model();
        ObjectNode root = NODES.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        List<AddedTokens.AddedToken> addedTokens = new ArrayList<>(bpe.addedTokens().tokens());
        addedTokens.sort(Comparator.comparingInt(AddedTokens.AddedToken::id));
        boolean[] isAdded = new boolean[v.size()];
        for (AddedTokens.AddedToken t : addedTokens) {
            isAdded[t.id()] = true;
            ObjectNode a = added.addObject();
            a.put("id", t.id());
            a.put("content", t.content());
            a.put("single_word", false);
            a.put("lstrip", t.lstrip());
            a.put("rstrip", t.rstrip());
            a.put("normalized", !t.special());
            a.put("special", t.special());
        }
        root.set("normalizer", json(origin.normalizer()));
        root.set("pre_tokenizer", origin.llamaCppPre() != null ? ggufPreTokenizer(origin.llamaCppPre())
                : json(origin.preTokenizer()));
        root.set("post_processor", origin.llamaCppPre() != null ? ggufPostProcessor(bpe) : json(origin.postProcessor()));
        root.set("decoder", origin.llamaCppPre() != null ? byteLevel(true, true, true) : json(origin.decoder()));
        ObjectNode m = root.putObject("model");
        m.put("type", "BPE");
        m.putNull("dropout");
        if (model.unknownId() >= 0) {
            m.put("unk_token", v.piece(model.unknownId()));
        } else {
            m.putNull("unk_token");
        }
        m.putNull("continuing_subword_prefix");
        m.putNull("end_of_word_suffix");
        m.put("fuse_unk", model.fuseUnknown());
        m.put("byte_fallback", model.byteFallback());
        m.put("ignore_merges", model.ignoreMerges());
        ObjectNode vocab = m.putObject("vocab");
        for (int id = 0; id < v.size(); id++) {
            String piece = v.piece(id);
            if (piece != null && !isAdded[id] && v.type(id) != TokenType.UNUSED) {
                vocab.put(piece, id);
            }
        }
        List<String[]> pairs = model.mergePairs();
        boolean spaceInPiece = pairs.stream().anyMatch(p -> p[0].indexOf(' ') >= 0 || p[1].indexOf(' ') >= 0);
        ArrayNode merges = m.putArray("merges");
        for (String[] p : pairs) {
            if (spaceInPiece) {
                merges.addArray().add(p[0]).add(p[1]); // "a b" strings cannot hold pieces with spaces
            } else {
                merges.add(p[0] + " " + p[1]);
            }
        }
        return root;
    }

    /** llama.cpp's regexes for {@code pre} as HF Split steps, then the byte-level alphabet. */
    private static ObjectNode ggufPreTokenizer(String pre) {
        ObjectNode sequence = NODES.objectNode();
        sequence.put("type", "Sequence");
        ArrayNode steps = sequence.putArray("pretokenizers");
        for (String regex : PreTokenizers.llamaCpp(pre, "GGUF tokenizer.ggml.pre").regexes()) {
            ObjectNode split = steps.addObject();
            split.put("type", "Split");
            split.putObject("pattern").put("Regex", regex);
            split.put("behavior", "Isolated");
            split.put("invert", false);
        }
        steps.add(byteLevel(false, true, false));
        return sequence;
    }

    /** ByteLevel, then a TemplateProcessing adding BOS/EOS when the GGUF vocabulary adds them. */
    private static ObjectNode ggufPostProcessor(BpeTokenizer bpe) {
        int[] prefix = bpe.prefixIds();
        int[] suffix = bpe.suffixIds();
        ObjectNode byteLevel = byteLevel(false, false, false);
        if (prefix.length == 0 && suffix.length == 0) {
            return byteLevel;
        }
        ObjectNode template = NODES.objectNode();
        template.put("type", "TemplateProcessing");
        ArrayNode single = template.putArray("single");
        ArrayNode pair = template.putArray("pair");
        ObjectNode special = template.putObject("special_tokens");
        for (int typeId = 0; typeId < 2; typeId++) {
            ArrayNode items = typeId == 0 ? single : pair;
            for (int round = 0; round < (typeId == 0 ? 1 : 2); round++) {
                for (int id : prefix) {
                    specialItem(items, bpe.piece(id), round);
                }
                items.addObject().putObject("Sequence").put("id", round == 0 ? "A" : "B").put("type_id", round);
                for (int id : suffix) {
                    specialItem(items, bpe.piece(id), round);
                }
            }
        }
        for (int id : concat(prefix, suffix)) {
            ObjectNode s = special.putObject(bpe.piece(id));
            s.put("id", bpe.piece(id));
            s.putArray("ids").add(id);
            s.putArray("tokens").add(bpe.piece(id));
        }
        ObjectNode sequence = NODES.objectNode();
        sequence.put("type", "Sequence");
        sequence.putArray("processors").add(byteLevel).add(template);
        return sequence;
    }

    private static void specialItem(ArrayNode items, String piece, int typeId) {
        items.addObject().putObject("SpecialToken").put("id", piece).put("type_id", typeId);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) {
        ObjectNode n = NODES.objectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", addPrefixSpace);
        n.put("trim_offsets", trimOffsets);
        n.put("use_regex", useRegex);
        return n;
    }

    private static ObjectNode bpeConfig(BpeTokenizer bpe, String chatTemplate) {
        ObjectNode c = NODES.objectNode();
        int[] prefix = bpe.prefixIds();
        int[] suffix = bpe.suffixIds();
        c.put("add_bos_token", prefix.length == 1 && prefix[0] == bpe.specialIds().bos());
        c.put("add_eos_token", suffix.length == 1 && suffix[0] == bpe.specialIds().eos());
        putToken(c, "bos_token", bpe, bpe.specialIds().bos());
        putToken(c, "eos_token", bpe, bpe.specialIds().eos());
        putToken(c, "unk_token", bpe, bpe.model().unknownId());
        putToken(c, "pad_token", bpe, bpe.specialIds().padding());
        c.put("clean_up_tokenization_spaces", bpe.decodeRules().cleanUpSpaces());
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        if (chatTemplate != null) {
            c.put("chat_template", chatTemplate);
        }
        return c;
    }

    private static void putToken(ObjectNode config, String key, Tokenizer tokenizer, int id) {
        if (id >= 0) {
            config.put(key, tokenizer.piece(id));
        } else {
            config.putNull(key);
        }
    }

    private static JsonNode json(String text) {
        return text == null ? NODES.nullNode() : Json.parse(text);
    }

    private static Path writeJson(Path file, JsonNode node) {
        try {
            String text = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
            return writeAtomically(file, (text + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path writeAtomically(Path file, byte[] bytes) {
        Path temp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.write(temp, bytes);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            throw new LlmoptException(file + ": cannot write: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the write error, if any, matters more than a leftover temporary file
            }
        }
    }
}
