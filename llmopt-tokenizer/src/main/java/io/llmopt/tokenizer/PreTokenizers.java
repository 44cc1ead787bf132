package io.llmopt.tokenizer;

import io.llmopt.tensor.LlmoptException;
import java.util.ArrayList;
import java.util.List;
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
            case "deepseek-llm" -> new LlamaCppPre(List.of(
                    "[\\r\\n]",
                    "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
                    "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
                    "\\s+\\z",
                    "[一-龥ࠀ-一가-퟿]+",
                    "\\p{N}+"), false, false, false);
            case "deepseek-coder" -> new LlamaCppPre(List.of(
                    "[\\r\\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[一-龥ࠀ-一가-퟿]+", "\\p{N}"), false, false, false);
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
