package io.llmopt.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.tensor.LlmoptException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The pre-tokenizer regexes of the byte-level BPE families, written for {@code java.util.regex}.
 *
 * <p>All patterns compile with {@link Pattern#UNICODE_CHARACTER_CLASS} so that {@code \s} is Unicode White_Space
 * (NBSP, U+3000, …) as in the Rust/Oniguruma engines HF uses; {@code \p{L}}/{@code \p{N}}/{@code \p{P}} are Unicode
 * general categories in Java already. The case-insensitive contraction group {@code (?i:'s|'t|…)} of Llama-3/Qwen2 is
 * kept as written (Java's scoped inline flag).
 */
final class PreTokenizers {
    private PreTokenizers() {
    }

    static Pattern compile(String regex, String source) {
        try {
            return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new LlmoptException(source + ": pre-tokenizer regex is not supported: " + regex + " ("
                    + e.getDescription() + ")");
        }
    }

    private static Pattern compile(String regex) {
        return compile(regex, "built-in");
    }

    static final String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    static final Pattern GPT2 = compile(GPT2_REGEX);

    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** llama.cpp's GPT-2 regex without the final {@code \s+} (its pre-tokenizer lists use this form). */
    private static final String GPT2_LLAMA_CPP = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

    /**
     * How a GGUF {@code tokenizer.ggml.pre} value tokenizes (llama.cpp b4747 {@code llm_tokenizer_bpe}):
     * the regexes applied in turn, and the vocabulary flags that come with the pre-tokenizer type.
     */
    record LlamaCppPre(List<String> regexes, boolean ignoreMerges, boolean cleanSpaces, boolean addBos) {
    }

    static LlamaCppPre llamaCpp(String pre, String source) {
        return switch (pre) {
            case "llama3", "llama-v3", "llama-bpe", "falcon3" -> new LlamaCppPre(List.of(LLAMA3_REGEX), true, true, true);
            case "dbrx", "smaug-bpe" -> new LlamaCppPre(List.of(LLAMA3_REGEX), false, true, false);
            // Non-ASCII ranges are written as Unicode escapes: the literal characters include code points (U+1F7D, …) that editors
            // and terminals silently NFC-normalize into other code points, which breaks the ranges.
            case "deepseek-llm" -> new LlamaCppPre(List.of(
                    "[\\r\\n]",
                    "\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293\u0295-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f\u0531-\u0556\u10a0-\u10c5\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a\uff41-\uff5a\ud801\udc00-\ud801\udc4f\ud801\udcb0-\ud801\udcd3\ud801\udcd8-\ud801\udcfb\ud803\udc80-\ud803\udcb2\ud803\udcc0-\ud803\udcf2\ud806\udca0-\ud806\udcdf\ud83a\udd00-\ud83a\udd43]+",
                    "\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+",
                    "\\s+\\z",
                    "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+",
                    "\\p{N}+"), false, false, false);
            case "deepseek-coder" -> new LlamaCppPre(List.of(
                    "[\\r\\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+", "\\p{N}"), false, false, false);
            case "falcon" -> new LlamaCppPre(List.of(
                    "[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2_LLAMA_CPP, "[0-9][0-9][0-9]"), false, true, false);
            case "starcoder", "refact", "smollm", "codeshell", "exaone", "minerva-7b" -> new LlamaCppPre(List.of(
                    "\\p{N}", GPT2_LLAMA_CPP), false, !pre.equals("smollm"), false);
            case "command-r" -> new LlamaCppPre(List.of("\\p{N}", GPT2_LLAMA_CPP), false, false, false);
            case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es", "jina-v2-de",
                    "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais" ->
                    new LlamaCppPre(List.of(GPT2_LLAMA_CPP), false, true, false);
            case "qwen2", "deepseek-r1-qwen", "megrez" -> new LlamaCppPre(List.of(QWEN2_REGEX), false, false, false);
            case "stablelm2" -> new LlamaCppPre(List.of(QWEN2_REGEX), false, true, false);
            case "chatglm-bpe" -> new LlamaCppPre(List.of(LLAMA3_REGEX), false, true, false);
            case "default", "" -> new LlamaCppPre(List.of(
                    "[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2_LLAMA_CPP, "\\p{N}+", "[0-9][0-9][0-9]"), false, true, false);
            default -> throw new LlmoptException(source + ": unsupported tokenizer.ggml.pre '" + pre
                    + "' (supported: llama-bpe, qwen2, gpt-2, falcon, starcoder, refact, mpt, deepseek-llm, "
                    + "deepseek-coder, command-r, default, …)");
        };
    }

    /** One llama.cpp pre-tokenizer name per distinct behaviour, in the order {@link #llamaCppName} tries them. */
    private static final List<String> CANONICAL_PRES = List.of("llama-bpe", "dbrx", "qwen2", "stablelm2", "gpt-2",
            "falcon", "starcoder", "smollm", "command-r", "deepseek-llm", "deepseek-coder", "default");

    /**
     * The {@code tokenizer.ggml.pre} under which llama.cpp tokenizes as a byte-level tokenizer.json does: the one
     * whose regexes, ignore_merges and clean-up-spaces flags equal the tokenizer's. llama.cpp's converter recognises
     * a tokenizer by hashing its output on a sample text; here the regexes are compared directly. The
     * pre_tokenizer must be regex splits (Split, Digits, or a ByteLevel with use_regex = true, which is GPT-2's
     * regex) ending in a ByteLevel step without a prefix space; anything else yields empty.
     */
    static Optional<String> llamaCppName(JsonNode preTokenizer,
            boolean ignoreMerges, boolean cleanSpaces) {
        List<String> regexes = new ArrayList<>();
        List<JsonNode> steps = new ArrayList<>();
        if (preTokenizer != null && "Sequence".equals(preTokenizer.path("type").asText())) {
            preTokenizer.path("pretokenizers").forEach(steps::add);
        } else if (preTokenizer != null) {
            steps.add(preTokenizer);
        }
        if (steps.isEmpty() || !"ByteLevel".equals(steps.getLast().path("type").asText())
                || steps.getLast().path("add_prefix_space").asBoolean(false)) {
            return Optional.empty();
        }
        for (JsonNode step : steps) {
            switch (step.path("type").asText()) {
                case "Split" -> {
                    if (!step.path("pattern").has("Regex") || !"Isolated".equals(step.path("behavior").asText())
                            || step.path("invert").asBoolean(false)) {
                        return Optional.empty();
                    }
                    regexes.add(step.path("pattern").path("Regex").asText());
                }
                case "Digits" -> regexes.add(step.path("individual_digits").asBoolean(false) ? "\\p{N}" : "\\p{N}+");
                case "ByteLevel" -> {
                    if (step.path("use_regex").asBoolean(true)) {
                        regexes.add(GPT2_LLAMA_CPP);
                    }
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        regexes.replaceAll(r -> r.equals(GPT2_REGEX) ? GPT2_LLAMA_CPP : r);
        for (String name : CANONICAL_PRES) {
            LlamaCppPre pre = llamaCpp(name, "built-in");
            if (pre.regexes().equals(regexes) && pre.ignoreMerges() == ignoreMerges && pre.cleanSpaces() == cleanSpaces) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /** Regex splits (isolated) followed by the byte-level alphabet, as llama.cpp's BPE session does. */
    static PreTokenizer regexesThenBytes(List<String> regexes, String source) {
        List<PreTokenizer> steps = new ArrayList<>();
        for (String r : regexes) {
            steps.add(PreTokenizer.regex(compile(r, source), PreTokenizer.Behavior.ISOLATED));
        }
        steps.add(PreTokenizer.byteLevel(false, false));
        return PreTokenizer.sequence(steps);
    }
}
