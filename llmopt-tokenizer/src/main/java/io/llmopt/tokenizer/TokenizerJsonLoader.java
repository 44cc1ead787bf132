package io.llmopt.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.tensor.LlmoptException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds a {@link BpeTokenizer} from an HF {@code tokenizer.json} (model type BPE) plus the optional
 * {@code tokenizer_config.json}. Supported components — normalizers: NFC/NFD/NFKC/NFKD, Lowercase, Prepend, Replace,
 * Strip, Sequence; pre-tokenizers: Split (Isolated/Removed/MergedWithPrevious/MergedWithNext), ByteLevel, Metaspace,
 * Digits, Sequence; post-processors: TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing, Sequence;
 * decoders: ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence. Anything else is rejected with an
 * error naming the file and the component, rather than tokenizing differently from the reference.
 */
final class TokenizerJsonLoader {
    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|eom_id|>", "<EOT>", "<｜end▁of▁sentence｜>");

    private final Path file;
    private final String source;

    private TokenizerJsonLoader(Path file) {
        this.file = file;
        this.source = file.toString();
    }

    static BpeTokenizer load(Path file, TokenizerConfig config, Set<Integer> extraEndOfGeneration) {
        return new TokenizerJsonLoader(file).build(Json.read(file, "tokenizer.json"), config, extraEndOfGeneration);
    }

    private LlmoptException unsupported(String what) {
        return new LlmoptException(source + ": " + what);
    }

    private BpeTokenizer build(JsonNode root, TokenizerConfig config, Set<Integer> extraEog) {
        JsonNode model = root.path("model");
        String type = model.path("type").asText(model.has("merges") ? "BPE" : "");
        if (!type.equals("BPE")) {
            throw unsupported("unsupported tokenizer model type '" + type + "' (supported: BPE)");
        }
        for (String key : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (!model.path(key).asText("").isEmpty()) {
                throw unsupported("unsupported BPE option " + key + " = '" + model.path(key).asText() + "'");
            }
        }
        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject()) {
            throw unsupported("model.vocab must be an object of token → id");
        }
        Map<Integer, String> byId = new HashMap<>();
        int size = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt(-1);
            if (id < 0) {
                throw unsupported("model.vocab entry '" + e.getKey() + "' has no valid id");
            }
            byId.put(id, e.getKey());
            size = Math.max(size, id + 1);
        }
        boolean byteFallback = model.path("byte_fallback").asBoolean(false);
        record Added(int id, String content, boolean special, boolean lstrip, boolean rstrip) {
        }
        List<Added> added = new ArrayList<>();
        for (JsonNode a : root.path("added_tokens")) {
            Added t = new Added(a.path("id").asInt(-1), a.path("content").asText(""), a.path("special").asBoolean(false),
                    a.path("lstrip").asBoolean(false), a.path("rstrip").asBoolean(false));
            if (t.id() < 0 || t.content().isEmpty()) {
                throw unsupported("added_tokens entry without id or content: " + a);
            }
            added.add(t);
            size = Math.max(size, t.id() + 1);
        }
        String[] pieces = new String[size];
        TokenType[] types = new TokenType[size];
        for (int i = 0; i < size; i++) {
            pieces[i] = byId.get(i);
            types[i] = pieces[i] == null ? TokenType.UNUSED
                    : byteFallback && Vocabulary.parseByteToken(pieces[i]) >= 0 ? TokenType.BYTE : TokenType.NORMAL;
        }
        List<AddedTokens.AddedToken> matchable = new ArrayList<>();
        for (Added a : added) {
            pieces[a.id()] = a.content();
            types[a.id()] = a.special() ? TokenType.CONTROL : TokenType.USER_DEFINED;
            matchable.add(new AddedTokens.AddedToken(a.content(), a.id(), a.special(), a.lstrip(), a.rstrip()));
        }
        Vocabulary vocabulary = new Vocabulary(pieces, new float[size], types);

        MergeTable merges = merges(model.path("merges"), vocabulary);
        String unkText = model.path("unk_token").isTextual() ? model.path("unk_token").asText() : null;
        int unk = unkText == null ? -1 : vocabulary.id(unkText);
        BpeModel bpe = new BpeModel(vocabulary, merges, byteFallback, unk, model.path("fuse_unk").asBoolean(false),
                model.path("ignore_merges").asBoolean(false));

        Normalizer normalizer = normalizer(root.get("normalizer"));
        PreTokenizer preTokenizer = root.hasNonNull("pre_tokenizer") ? preTokenizer(root.get("pre_tokenizer"))
                : PreTokenizer.none();
        List<Integer> prefix = new ArrayList<>();
        List<Integer> suffix = new ArrayList<>();
        postProcessor(root.get("post_processor"), vocabulary, prefix, suffix);

        DecoderSpec decoder = new DecoderSpec();
        decoder(root.get("decoder"), decoder);
        boolean cleanUp = Boolean.TRUE.equals(config.cleanUpTokenizationSpaces());
        byte[][] bytes = new byte[size][];
        boolean[] special = new boolean[size];
        for (int id = 0; id < size; id++) {
            String p = pieces[id];
            if (p == null) {
                continue;
            }
            if (types[id] == TokenType.CONTROL || types[id] == TokenType.USER_DEFINED) {
                bytes[id] = BaseTokenizer.utf8(p);
                special[id] = types[id] == TokenType.CONTROL;
            } else if (decoder.byteLevel) {
                bytes[id] = BpeTokenizer.byteLevelBytes(p);
            } else if (decoder.metaspace) {
                bytes[id] = BpeTokenizer.metaspaceBytes(p, decoder.byteFallback);
            } else {
                int b = decoder.byteFallback ? Vocabulary.parseByteToken(p) : -1;
                bytes[id] = b >= 0 ? new byte[] {(byte) b} : BaseTokenizer.utf8(p);
            }
        }
        int bos = idOf(config.bosToken(), vocabulary);
        int eos = idOf(config.eosToken(), vocabulary);
        int pad = idOf(config.padToken(), vocabulary);
        Set<Integer> eog = new HashSet<>(extraEog);
        if (eos >= 0) {
            eog.add(eos);
        }
        for (Added a : added) {
            if (EOG_TEXTS.contains(a.content())) {
                eog.add(a.id());
            }
        }
        return new BpeTokenizer(new BpeTokenizer.Parts(vocabulary,
                new BaseTokenizer.SpecialIds(bos, eos, Set.copyOf(eog), pad),
                new DecodeRules(decoder.stripLeadingSpace, cleanUp), bytes, special, new AddedTokens(matchable),
                normalizer, preTokenizer, bpe, toArray(prefix), toArray(suffix), BpeTokenizer.Origin.tokenizerJson(root)));
    }

    private static int idOf(String text, Vocabulary v) {
        return text == null ? -1 : v.id(text);
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    private MergeTable merges(JsonNode node, Vocabulary vocabulary) {
        MergeTable table = new MergeTable(Math.max(1, node.size()));
        int rank = 0;
        for (JsonNode m : node) {
            String a;
            String b;
            if (m.isArray() && m.size() == 2) {
                a = m.get(0).asText();
                b = m.get(1).asText();
            } else if (m.isTextual() && m.asText().indexOf(' ', 1) > 0) {
                String s = m.asText();
                int space = s.indexOf(' ', 1);
                a = s.substring(0, space);
                b = s.substring(space + 1);
            } else {
                throw unsupported("model.merges[" + rank + "] is neither \"a b\" nor [a, b]: " + m);
            }
            int ia = vocabulary.id(a);
            int ib = vocabulary.id(b);
            int merged = vocabulary.id(a + b);
            if (ia >= 0 && ib >= 0 && merged >= 0) {
                table.putIfAbsent(ia, ib, rank, merged);
            }
            rank++;
        }
        return table;
    }

    private Normalizer normalizer(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        String type = n.path("type").asText();
        return switch (type) {
            case "NFC" -> Normalizer.unicode(java.text.Normalizer.Form.NFC);
            case "NFD" -> Normalizer.unicode(java.text.Normalizer.Form.NFD);
            case "NFKC" -> Normalizer.unicode(java.text.Normalizer.Form.NFKC);
            case "NFKD" -> Normalizer.unicode(java.text.Normalizer.Form.NFKD);
            case "Lowercase" -> Normalizer.lowercase();
            case "Prepend" -> Normalizer.prepend(n.path("prepend").asText());
            case "Strip" -> Normalizer.strip(n.path("strip_left").asBoolean(true), n.path("strip_right").asBoolean(true));
            case "Replace" -> {
                JsonNode pattern = n.path("pattern");
                String content = n.path("content").asText();
                if (pattern.has("String")) {
                    yield Normalizer.replaceLiteral(pattern.get("String").asText(), content);
                }
                if (pattern.has("Regex")) {
                    yield Normalizer.replaceRegex(PreTokenizers.compile(pattern.get("Regex").asText(), source), content);
                }
                throw unsupported("normalizer Replace without a String or Regex pattern");
            }
            case "Sequence" -> {
                List<Normalizer> steps = new ArrayList<>();
                for (JsonNode child : n.path("normalizers")) {
                    Normalizer step = normalizer(child);
                    if (step != null) {
                        steps.add(step);
                    }
                }
                yield Normalizer.sequence(steps);
            }
            default -> throw unsupported("unsupported normalizer type '" + type + "'");
        };
    }

    private PreTokenizer preTokenizer(JsonNode n) {
        String type = n.path("type").asText();
        return switch (type) {
            case "Sequence" -> {
                List<PreTokenizer> steps = new ArrayList<>();
                for (JsonNode child : n.path("pretokenizers")) {
                    steps.add(preTokenizer(child));
                }
                yield PreTokenizer.sequence(steps);
            }
            case "Split" -> {
                JsonNode pattern = n.path("pattern");
                Pattern p;
                if (pattern.has("Regex")) {
                    p = PreTokenizers.compile(pattern.get("Regex").asText(), source);
                } else if (pattern.has("String")) {
                    p = Pattern.compile(Pattern.quote(pattern.get("String").asText()));
                } else {
                    throw unsupported("pre-tokenizer Split without a String or Regex pattern");
                }
                String behavior = n.path("behavior").asText("Isolated");
                boolean invert = n.path("invert").asBoolean(false);
                PreTokenizer.Behavior b = switch (behavior) {
                    case "Isolated" -> PreTokenizer.Behavior.ISOLATED;
                    case "Removed" -> PreTokenizer.Behavior.REMOVED;
                    case "MergedWithPrevious" -> PreTokenizer.Behavior.MERGED_WITH_PREVIOUS;
                    case "MergedWithNext" -> PreTokenizer.Behavior.MERGED_WITH_NEXT;
                    default -> throw unsupported("unsupported Split behavior '" + behavior + "'");
                };
                if (invert && b != PreTokenizer.Behavior.ISOLATED) {
                    throw unsupported("unsupported Split with invert = true and behavior " + behavior);
                }
                yield PreTokenizer.regex(p, b);
            }
            case "ByteLevel" -> PreTokenizer.byteLevel(n.path("add_prefix_space").asBoolean(false),
                    n.path("use_regex").asBoolean(true));
            case "Metaspace" -> {
                String replacement = n.path("replacement").asText("\u2581");
                String scheme = n.has("prepend_scheme") ? n.path("prepend_scheme").asText()
                        : n.path("add_prefix_space").asBoolean(true) ? "always" : "never";
                yield PreTokenizer.metaspace(replacement.charAt(0), scheme, n.path("split").asBoolean(true));
            }
            case "Digits" -> PreTokenizer.regex(Pattern.compile(
                    n.path("individual_digits").asBoolean(false) ? "\\p{N}" : "\\p{N}+"), PreTokenizer.Behavior.ISOLATED);
            default -> throw unsupported("unsupported pre-tokenizer type '" + type + "'");
        };
    }

    private void postProcessor(JsonNode n, Vocabulary vocabulary, List<Integer> prefix, List<Integer> suffix) {
        if (n == null || n.isNull()) {
            return;
        }
        String type = n.path("type").asText();
        switch (type) {
            case "ByteLevel" -> {
            }
            case "Sequence" -> {
                for (JsonNode child : n.path("processors")) {
                    postProcessor(child, vocabulary, prefix, suffix);
                }
            }
            case "TemplateProcessing" -> {
                boolean afterSequence = false;
                for (JsonNode item : n.path("single")) {
                    if (item.has("Sequence")) {
                        afterSequence = true;
                    } else if (item.has("SpecialToken")) {
                        String name = item.get("SpecialToken").path("id").asText();
                        JsonNode spec = n.path("special_tokens").path(name);
                        if (!spec.has("ids")) {
                            throw unsupported("TemplateProcessing refers to special token '" + name
                                    + "' missing from special_tokens");
                        }
                        for (JsonNode id : spec.get("ids")) {
                            (afterSequence ? suffix : prefix).add(id.asInt());
                        }
                    }
                }
            }
            case "RobertaProcessing", "BertProcessing" -> {
                prefix.add(n.path("cls").path(1).asInt());
                suffix.add(n.path("sep").path(1).asInt());
            }
            default -> throw unsupported("unsupported post_processor type '" + type + "'");
        }
    }

    /** What the decoder chain does to a normal (non-added) piece, and to the whole text. */
    private static final class DecoderSpec {
        boolean byteLevel;
        boolean metaspace;
        boolean byteFallback;
        boolean stripLeadingSpace;
    }

    private void decoder(JsonNode n, DecoderSpec spec) {
        if (n == null || n.isNull()) {
            return;
        }
        String type = n.path("type").asText();
        switch (type) {
            case "ByteLevel" -> spec.byteLevel = true;
            case "ByteFallback" -> spec.byteFallback = true;
            case "Fuse" -> {
            }
            case "Sequence" -> {
                for (JsonNode child : n.path("decoders")) {
                    decoder(child, spec);
                }
            }
            case "Replace" -> {
                String from = n.path("pattern").path("String").asText(null);
                if (!"\u2581".equals(from) || !" ".equals(n.path("content").asText())) {
                    throw unsupported("unsupported decoder Replace " + n.path("pattern") + " → " + n.path("content"));
                }
                spec.metaspace = true;
            }
            case "Metaspace" -> {
                spec.metaspace = true;
                String scheme = n.has("prepend_scheme") ? n.path("prepend_scheme").asText()
                        : n.path("add_prefix_space").asBoolean(true) ? "always" : "never";
                spec.stripLeadingSpace |= !scheme.equals("never");
            }
            case "Strip" -> {
                if (!" ".equals(n.path("content").asText()) || n.path("start").asInt() > 1 || n.path("stop").asInt() != 0) {
                    throw unsupported("unsupported decoder Strip " + n);
                }
                spec.stripLeadingSpace |= n.path("start").asInt() == 1;
            }
            default -> throw unsupported("unsupported decoder type '" + type + "'");
        }
    }
}
