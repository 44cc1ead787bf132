package io.llmopt.tokenizer.train;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;

/**
 * Writes a {@link TrainedBpe} as a Hugging Face {@code tokenizer.json} (schema of the {@code tokenizers} library,
 * version "1.0") and, next to it, a {@code tokenizer_config.json} naming BOS/EOS for transformers and for
 * {@link io.llmopt.tokenizer.Tokenizers#load}:
 *
 * <ul>
 *   <li>added_tokens: the special tokens (special = true, normalized = false);</li>
 *   <li>normalizer: none; pre_tokenizer: Sequence[Split(Regex {@link WordCounts#SPLIT_REGEX}, Isolated),
 *       ByteLevel(add_prefix_space false, use_regex false)] — Qwen2's, which llama.cpp calls {@code qwen2};</li>
 *   <li>post_processor: TemplateProcessing adding the first special token before the text (BOS);</li>
 *   <li>decoder: ByteLevel; model: BPE with vocab (piece → id; the special tokens too, as GPT-2's and Llama's files
 *       have them: the library numbers an added token missing from the model vocab after the vocab instead of at
 *       its stated id), merges as {@code "left right"} strings (byte-level
 *       pieces never hold a space, so every version of the library parses them), no unk token, no byte_fallback
 *       (the 256 byte tokens cover every input).</li>
 * </ul>
 * Both files are written atomically: a temporary file in the same directory, then a rename.
 */
public final class TokenizerJsonWriter {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TokenizerJsonWriter() {
    }

    /** Writes {@code tokenizerJson} and a tokenizer_config.json beside it; returns both paths. */
    public static List<Path> write(TrainedBpe bpe, Path tokenizerJson) {
        Path config = tokenizerJson.toAbsolutePath().resolveSibling("tokenizer_config.json");
        if (config.equals(tokenizerJson.toAbsolutePath())) {
            throw new LlmoptException(tokenizerJson + ": the output must not be named tokenizer_config.json");
        }
        try {
            Files.createDirectories(config.getParent());
        } catch (IOException e) {
            throw new LlmoptException(config.getParent() + ": cannot create the directory: " + e.getMessage(), e);
        }
        writeAtomically(tokenizerJson, json(tokenizerJson(bpe)));
        writeAtomically(config, json(tokenizerConfig(bpe)));
        return List.of(tokenizerJson, config);
    }

    static ObjectNode tokenizerJson(TrainedBpe bpe) {
        ObjectNode root = NODES.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < bpe.specialTokens().size(); id++) {
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", bpe.specialTokens().get(id));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", WordCounts.SPLIT_REGEX);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        steps.add(byteLevel(false, false));
        root.set("post_processor", bosTemplate(bpe.specialTokens().getFirst()));
        root.set("decoder", byteLevel(true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < bpe.vocabSize(); id++) {
            vocab.put(bpe.pieces().get(id), id);
        }
        ArrayNode merges = model.putArray("merges");
        for (String[] m : bpe.merges()) {
            merges.add(m[0] + " " + m[1]);
        }
        return root;
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean useRegex) {
        ObjectNode n = NODES.objectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", addPrefixSpace);
        n.put("trim_offsets", addPrefixSpace);
        n.put("use_regex", useRegex);
        return n;
    }

    private static ObjectNode bosTemplate(String bos) {
        ObjectNode n = NODES.objectNode();
        n.put("type", "TemplateProcessing");
        ArrayNode single = n.putArray("single");
        single.add(special(bos, 0));
        single.add(sequence("A", 0));
        ArrayNode pair = n.putArray("pair");
        pair.add(special(bos, 0));
        pair.add(sequence("A", 0));
        pair.add(special(bos, 1));
        pair.add(sequence("B", 1));
        ObjectNode spec = n.putObject("special_tokens").putObject(bos);
        spec.put("id", bos);
        spec.putArray("ids").add(0);
        spec.putArray("tokens").add(bos);
        return n;
    }

    private static ObjectNode special(String id, int typeId) {
        ObjectNode n = NODES.objectNode();
        ObjectNode s = n.putObject("SpecialToken");
        s.put("id", id);
        s.put("type_id", typeId);
        return n;
    }

    private static ObjectNode sequence(String id, int typeId) {
        ObjectNode n = NODES.objectNode();
        ObjectNode s = n.putObject("Sequence");
        s.put("id", id);
        s.put("type_id", typeId);
        return n;
    }

    static ObjectNode tokenizerConfig(TrainedBpe bpe) {
        String bos = bpe.specialTokens().getFirst();
        ObjectNode c = NODES.objectNode();
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        c.put("bos_token", bos);
        c.put("eos_token", bos);
        c.put("add_bos_token", true);
        c.put("add_eos_token", false);
        c.put("clean_up_tokenization_spaces", false);
        c.put("model_max_length", 1_000_000_000_000_000L);
        return c;
    }

    private static byte[] json(ObjectNode node) {
        try {
            return (MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) {
        Path abs = file.toAbsolutePath();
        Path temp = abs.resolveSibling("." + abs.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.write(temp, bytes);
            try {
                Files.move(temp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
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
