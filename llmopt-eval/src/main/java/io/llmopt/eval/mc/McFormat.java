package io.llmopt.eval.mc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Layouts of a task line, each turned into context + continuations exactly as lm-evaluation-harness's task
 * of that name builds its requests (target delimiter " " between context and answer):
 *
 * <ul>
 *   <li>{@code generic}: {@code {"context": str, "choices": [str, …], "gold": int, "delimiter"?: str (" "),
 *       "id"?: any}} — context + delimiter + choice. Written by {@code make-cloze}.</li>
 *   <li>{@code hellaswag} (Rowan/hellaswag rows): {@code activity_label, ctx_a, ctx_b} (or {@code ctx}),
 *       {@code endings} [4], {@code label} — context = preprocess(activity_label + ": " + ctx_a + " " +
 *       capitalize(ctx_b)), answers = preprocess(ending).</li>
 *   <li>{@code arc} (allenai/ai2_arc rows): {@code question, choices: {text: [...], label: [...]},
 *       answerKey} — context "Question: " + question + "\nAnswer:", answers the choice texts.</li>
 *   <li>{@code mmlu} (cais/mmlu rows): {@code question, choices [4], answer} (index or letter),
 *       optional {@code subject} — the harness's zero-shot prompt ("The following are multiple choice
 *       questions (with answers) about …", question, "A. …" lines, "Answer:"), answers " A" … " D".</li>
 *   <li>{@code winogrande} (allenai/winogrande rows): {@code sentence} with one "_", {@code option1},
 *       {@code option2}, {@code answer} ("1"/"2") — partial scoring: context = sentence up to "_" with
 *       the option filled in, continuation = the rest of the sentence (the same for both options).</li>
 * </ul>
 */
public enum McFormat {
    GENERIC, HELLASWAG, ARC, MMLU, WINOGRANDE;

    private static final Pattern BRACKETS = Pattern.compile("\\[.*?\\]");

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static McFormat parse(String s) {
        for (McFormat f : values()) {
            if (f.label().equals(s.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown task format '" + s + "', expected generic, hellaswag, arc, mmlu or winogrande");
    }

    /** Guesses the layout of a row from its field names. */
    public static McFormat detect(JsonNode row) {
        if (row.has("endings")) {
            return HELLASWAG;
        }
        if (row.has("answerKey")) {
            return ARC;
        }
        if (row.has("option1")) {
            return WINOGRANDE;
        }
        if (row.has("gold") || row.has("context")) {
            return GENERIC;
        }
        if (row.has("question") && row.has("choices")) {
            return MMLU;
        }
        throw new IllegalArgumentException("cannot tell the task format from the fields " + fieldNames(row)
                + " (expected context/choices/gold, or the fields of hellaswag, arc, mmlu or winogrande); give --format");
    }

    /** The item of one row; {@link IllegalArgumentException} names the missing or bad field. */
    public McItem item(JsonNode row, String defaultId) {
        String id = row.hasNonNull("id") ? row.get("id").asText() : row.hasNonNull("ind") ? row.get("ind").asText() : defaultId;
        return switch (this) {
            case GENERIC -> {
                String context = text(row, "context");
                String delimiter = row.has("delimiter") ? text(row, "delimiter") : " ";
                List<String> answers = texts(array(row, "choices"), "choices");
                yield simple(id, context, delimiter, answers, index(row, "gold", answers.size()));
            }
            case HELLASWAG -> {
                String ctx = row.has("ctx_a")
                        ? text(row, "ctx_a") + " " + capitalize(row.has("ctx_b") ? text(row, "ctx_b") : "")
                        : text(row, "ctx");
                String query = preprocess(text(row, "activity_label") + ": " + ctx);
                List<String> endings = new ArrayList<>();
                for (String e : texts(array(row, "endings"), "endings")) {
                    endings.add(preprocess(e));
                }
                yield simple(id, query, " ", endings, index(row, "label", endings.size()));
            }
            case ARC -> {
                JsonNode choices = field(row, "choices");
                List<String> answers = texts(array(choices, "text"), "choices.text");
                List<String> labels = texts(array(choices, "label"), "choices.label");
                String key = text(row, "answerKey");
                int gold = labels.indexOf(key);
                if (gold < 0) {
                    throw new IllegalArgumentException("answerKey '" + key + "' is not one of the labels " + labels);
                }
                yield simple(id, "Question: " + text(row, "question") + "\nAnswer:", " ", answers, gold);
            }
            case MMLU -> {
                List<String> options = texts(array(row, "choices"), "choices");
                StringBuilder prompt = new StringBuilder();
                if (row.hasNonNull("subject")) {
                    prompt.append("The following are multiple choice questions (with answers) about ")
                            .append(text(row, "subject").replace('_', ' ')).append(".\n\n");
                }
                prompt.append(text(row, "question").strip());
                List<String> letters = new ArrayList<>();
                for (int i = 0; i < options.size(); i++) {
                    String letter = String.valueOf((char) ('A' + i));
                    letters.add(letter);
                    prompt.append('\n').append(letter).append(". ").append(options.get(i));
                }
                prompt.append("\nAnswer:");
                yield simple(id, prompt.toString(), " ", letters, letterOrIndex(row, "answer", options.size()));
            }
            case WINOGRANDE -> {
                String sentence = text(row, "sentence");
                int blank = sentence.indexOf('_');
                if (blank < 0) {
                    throw new IllegalArgumentException("field 'sentence' has no '_' blank");
                }
                String rest = " " + sentence.substring(blank + 1).strip();
                String o1 = text(row, "option1");
                String o2 = text(row, "option2");
                List<McChoice> choices = List.of(
                        new McChoice(sentence.substring(0, blank) + o1, rest, rest.strip()),
                        new McChoice(sentence.substring(0, blank) + o2, rest, rest.strip()));
                String answer = text(row, "answer");
                if (!answer.equals("1") && !answer.equals("2")) {
                    throw new IllegalArgumentException("field 'answer' must be \"1\" or \"2\", got '" + answer + "'");
                }
                yield new McItem(id, choices, Integer.parseInt(answer) - 1);
            }
        };
    }

    private static McItem simple(String id, String context, String delimiter, List<String> answers, int gold) {
        List<McChoice> choices = new ArrayList<>();
        for (String a : answers) {
            if ((delimiter + a).isEmpty()) {
                throw new IllegalArgumentException("a choice is empty");
            }
            choices.add(new McChoice(context, delimiter + a, a));
        }
        return new McItem(id, choices, gold);
    }

    /** The harness's hellaswag preprocess: strip, " [title]" → ". ", drop [bracketed] tags, collapse double spaces. */
    static String preprocess(String text) {
        String t = text.strip().replace(" [title]", ". ");
        t = BRACKETS.matcher(t).replaceAll("");
        return t.replace("  ", " ");
    }

    /** Python's str.capitalize(): first character upper case, the rest lower case. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        return s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
    }

    private static JsonNode field(JsonNode row, String name) {
        JsonNode n = row.get(name);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException("missing field '" + name + "'");
        }
        return n;
    }

    private static String text(JsonNode row, String name) {
        JsonNode n = field(row, name);
        if (!n.isValueNode()) {
            throw new IllegalArgumentException("field '" + name + "' must be a string");
        }
        return n.asText();
    }

    private static JsonNode array(JsonNode row, String name) {
        JsonNode n = field(row, name);
        if (!n.isArray()) {
            throw new IllegalArgumentException("field '" + name + "' must be an array");
        }
        return n;
    }

    private static List<String> texts(JsonNode array, String name) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : array) {
            if (!e.isValueNode() || e.isNull()) {
                throw new IllegalArgumentException("field '" + name + "' must hold strings");
            }
            out.add(e.asText());
        }
        if (out.size() < 2) {
            throw new IllegalArgumentException("field '" + name + "' needs at least 2 entries, has " + out.size());
        }
        return out;
    }

    private static int index(JsonNode row, String name, int n) {
        JsonNode v = field(row, name);
        int i;
        if (v.isInt()) {
            i = v.asInt();
        } else if (v.isTextual() && v.asText().strip().matches("-?\\d+")) {
            i = Integer.parseInt(v.asText().strip());
        } else {
            throw new IllegalArgumentException("field '" + name + "' must be an integer index, got " + v);
        }
        if (i < 0 || i >= n) {
            throw new IllegalArgumentException("field '" + name + "' = " + i + " is not in 0.." + (n - 1));
        }
        return i;
    }

    private static int letterOrIndex(JsonNode row, String name, int n) {
        JsonNode v = field(row, name);
        if (v.isTextual() && v.asText().length() == 1 && Character.isLetter(v.asText().charAt(0))) {
            int i = Character.toUpperCase(v.asText().charAt(0)) - 'A';
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException("field '" + name + "' = " + v.asText() + " is not one of A.." + (char) ('A' + n - 1));
            }
            return i;
        }
        return index(row, name, n);
    }

    private static String fieldNames(JsonNode row) {
        List<String> names = new ArrayList<>();
        row.fieldNames().forEachRemaining(names::add);
        return names.toString();
    }
}
