package io.llmopt.tokenizer;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.tensor.LlmoptException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Builds a tokenizer from GGUF {@code tokenizer.ggml.*} metadata with llama.cpp b4747's rules
 * ({@code llama_vocab::impl::load}): per-model default special ids, {@code add_bos_token}/{@code add_eos_token}
 * defaults (SPM: BOS only; BPE: only for Llama-3-style pre-tokenizers), empty pieces renamed {@code [EMPTY_<id>]},
 * out-of-range special ids ignored, and end-of-generation tokens recognised by their text (and then treated as
 * control tokens).
 */
final class GgufTokenizerLoader {
    private static final String PREFIX = "tokenizer.ggml.";
    /** Texts llama.cpp treats as end of generation whatever their declared type. */
    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|eom_id|>", "<EOT>", "<｜end▁of▁sentence｜>");

    private GgufTokenizerLoader() {
    }

    static Tokenizer load(GgufMetadata md) {
        String model = md.getString(PREFIX + "model");
        String source = md.source();
        String[] pieces = md.getStringArray(PREFIX + "tokens");
        int n = pieces.length;
        if (n == 0) {
            throw new LlmoptException(source + ": GGUF metadata key '" + PREFIX + "tokens' is empty");
        }
        float[] scores = md.contains(PREFIX + "scores") ? md.getFloatArray(PREFIX + "scores") : new float[n];
        int[] typeCodes = md.contains(PREFIX + "token_type") ? md.getIntArray(PREFIX + "token_type") : null;
        if (scores.length != n || (typeCodes != null && typeCodes.length != n)) {
            throw new LlmoptException(source + ": GGUF tokenizer arrays differ in length (tokens " + n + ", scores "
                    + scores.length + ", token_type " + (typeCodes == null ? "absent" : typeCodes.length) + ")");
        }
        TokenType[] types = new TokenType[n];
        for (int i = 0; i < n; i++) {
            if (pieces[i].isEmpty()) {
                pieces[i] = "[EMPTY_" + i + "]";
            }
            types[i] = typeCodes == null ? TokenType.NORMAL : TokenType.of(typeCodes[i]);
        }
        int[] defaults = switch (model) { // bos, eos, unk, sep
            case "llama" -> new int[] {1, 2, 0, -1};
            case "gpt2" -> new int[] {11, 11, -1, -1};
            case "bert" -> new int[] {101, -1, 100, 102};
            default -> throw new LlmoptException(source + ": unsupported tokenizer.ggml.model '" + model
                    + "' (supported: llama, gpt2, bert)");
        };
        int bos = specialId(md, "bos_token_id", defaults[0], n);
        int eos = specialId(md, "eos_token_id", defaults[1], n);
        int unk = specialId(md, "unknown_token_id", defaults[2], n);
        int sep = specialId(md, "seperator_token_id", defaults[3], n);
        int pad = specialId(md, "padding_token_id", -1, n);
        int eot = specialId(md, "eot_token_id", -1, n);
        int eom = specialId(md, "eom_token_id", -1, n);

        Set<Integer> eog = new HashSet<>();
        for (int i = 0; i < n; i++) {
            if (EOG_TEXTS.contains(pieces[i])) {
                if (!pieces[i].equals("<｜end▁of▁sentence｜>") || eot < 0) {
                    eog.add(i);
                }
                types[i] = TokenType.CONTROL;
            }
        }
        for (int id : new int[] {eos, eot, eom}) {
            if (id >= 0) {
                eog.add(id);
            }
        }
        Vocabulary vocabulary = new Vocabulary(pieces, scores, types);
        BaseTokenizer.SpecialIds specialIds = new BaseTokenizer.SpecialIds(bos, eos, Set.copyOf(eog), pad);

        return switch (model) {
            case "llama" -> new SpmTokenizer(vocabulary, specialIds, new SpmTokenizer.Options(
                    md.findBoolean(PREFIX + "add_bos_token").orElse(true),
                    md.findBoolean(PREFIX + "add_eos_token").orElse(false),
                    md.findBoolean(PREFIX + "add_space_prefix").orElse(true)), unk, List.of(),
                    SpmTokenizer.SentencePieceSpec.of(vocabulary,
                            md.findBoolean(PREFIX + "remove_extra_whitespaces").orElse(false)));
            case "gpt2" -> byteLevelBpe(md, vocabulary, specialIds);
            default -> new WordPieceTokenizer(vocabulary, specialIds, unk, sep);
        };
    }

    private static int specialId(GgufMetadata md, String key, int fallback, int n) {
        OptionalLong v = md.findLong(PREFIX + key);
        if (v.isEmpty() || v.getAsLong() < 0 || v.getAsLong() >= n) {
            return fallback; // llama.cpp keeps the default for absent or out-of-range ids (0xFFFFFFFF = none)
        }
        return (int) v.getAsLong();
    }

    private static Tokenizer byteLevelBpe(GgufMetadata md, Vocabulary vocabulary, BaseTokenizer.SpecialIds ids) {
        String source = md.source();
        String pre = md.findString(PREFIX + "pre").orElse("default");
        PreTokenizers.LlamaCppPre rules = PreTokenizers.llamaCpp(pre, source);
        String[] merges = md.getStringArray(PREFIX + "merges");
        MergeTable table = new MergeTable(merges.length);
        for (int rank = 0; rank < merges.length; rank++) {
            String m = merges[rank];
            int space = m.indexOf(' ', 1);
            if (space < 0) {
                continue; // llama.cpp stores an empty pair that never matches
            }
            String a = m.substring(0, space);
            String b = m.substring(space + 1);
            int ia = vocabulary.id(a);
            int ib = vocabulary.id(b);
            int merged = vocabulary.id(a + b);
            if (ia >= 0 && ib >= 0 && merged >= 0) {
                table.putIfAbsent(ia, ib, rank, merged);
            }
        }
        boolean addBos = md.findBoolean(PREFIX + "add_bos_token").orElse(rules.addBos());
        boolean addEos = md.findBoolean(PREFIX + "add_eos_token").orElse(false);
        boolean addSpacePrefix = md.findBoolean(PREFIX + "add_space_prefix").orElse(false);
        int n = vocabulary.size();
        byte[][] bytes = new byte[n][];
        List<AddedTokens.AddedToken> added = new ArrayList<>();
        for (int id = 0; id < n; id++) {
            String p = vocabulary.piece(id);
            switch (vocabulary.type(id)) {
                case NORMAL -> bytes[id] = BpeTokenizer.byteLevelBytes(p);
                case CONTROL, UNKNOWN, USER_DEFINED -> {
                    bytes[id] = BaseTokenizer.utf8(p);
                    added.add(new AddedTokens.AddedToken(p, id, vocabulary.type(id) != TokenType.USER_DEFINED,
                            false, false));
                }
                default -> bytes[id] = null;
            }
        }
        BpeModel bpe = new BpeModel(vocabulary, table, false, -1, false, rules.ignoreMerges());
        int[] prefix = addBos && ids.bos() >= 0 ? new int[] {ids.bos()} : new int[0];
        int[] suffix = addEos && ids.eos() >= 0 ? new int[] {ids.eos()} : new int[0];
        PreTokenizer preTokenizer = PreTokenizers.regexesThenBytes(rules.regexes(), source);
        if (addSpacePrefix) {
            PreTokenizer inner = preTokenizer;
            preTokenizer = (text, first, out) -> inner.split(first ? " " + text : text, first, out);
        }
        return new BpeTokenizer(new BpeTokenizer.Parts(vocabulary, ids,
                new DecodeRules(addSpacePrefix, rules.cleanSpaces()), bytes, SpmTokenizer.controlFlags(vocabulary),
                new AddedTokens(added), null, preTokenizer, bpe, prefix, suffix,
                BpeTokenizer.Origin.gguf(pre, addSpacePrefix)));
    }
}
