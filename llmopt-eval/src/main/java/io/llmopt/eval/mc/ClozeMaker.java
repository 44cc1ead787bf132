package io.llmopt.eval.mc;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.tensor.LlmoptException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Builds a continuation-choice (cloze) task from any text: a passage of N consecutive sentences of one
 * document, and as choices its true next sentence plus distractors that are the true next sentences of
 * other items. Drawing distractors from the same pool as the answers keeps the task symmetric: answers and
 * distractors have the same length and position statistics, so a model that ignores the context (random
 * weights, or one that prefers short answers) scores chance, 1/choices, in expectation.
 *
 * <p>Deterministic for a given text and options ({@link Random} with the seed: its algorithm is fixed by
 * the Java specification). One item per document at most, documents visited in seeded random order.
 */
public final class ClozeMaker {
    /** Answers and distractors are sentences of 3 to 40 words. */
    static final int MIN_WORDS = 3;
    static final int MAX_WORDS = 40;

    private ClozeMaker() {
    }

    /**
     * @param items            how many items to make (fewer when the text has fewer usable documents)
     * @param choices          answers per item, the true one included (≥ 2)
     * @param contextSentences sentences in each passage (≥ 1)
     */
    public record Options(int items, int choices, int contextSentences, long seed) {
        public Options {
            if (items < 1) {
                throw new LlmoptException("--items must be positive, got " + items);
            }
            if (choices < 2) {
                throw new LlmoptException("--choices must be at least 2 (the true sentence and a distractor), got " + choices);
            }
            if (contextSentences < 1) {
                throw new LlmoptException("--sentences must be at least 1, got " + contextSentences);
            }
        }
    }

    public static List<ClozeItem> make(String text, Options o) {
        Random random = new Random(o.seed());
        List<String> documents = Sentences.documents(text);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        List<String> contexts = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (int d : order) {
            if (answers.size() == o.items()) {
                break;
            }
            List<String> s = Sentences.split(documents.get(d));
            List<Integer> starts = new ArrayList<>();
            for (int start = 0; start + o.contextSentences() < s.size(); start++) {
                int w = Sentences.words(s.get(start + o.contextSentences()));
                if (w >= MIN_WORDS && w <= MAX_WORDS) {
                    starts.add(start);
                }
            }
            if (starts.isEmpty()) {
                continue;
            }
            int start = starts.get(random.nextInt(starts.size()));
            contexts.add(String.join(" ", s.subList(start, start + o.contextSentences())));
            answers.add(s.get(start + o.contextSentences()));
        }
        if (answers.size() < o.choices()) {
            throw new LlmoptException("the text yields only " + answers.size() + " passages with a next sentence of " + MIN_WORDS + ".."
                    + MAX_WORDS + " words; a cloze task with " + o.choices() + " choices needs at least " + o.choices());
        }
        List<ClozeItem> items = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            Set<String> used = new HashSet<>();
            used.add(answers.get(i));
            List<String> choices = new ArrayList<>();
            int tries = 0;
            while (choices.size() < o.choices() - 1) {
                if (++tries > 100 * o.choices()) {
                    throw new LlmoptException("the text has too few distinct sentences to draw " + (o.choices() - 1) + " distractors");
                }
                int j = random.nextInt(answers.size());
                if (j != i && used.add(answers.get(j))) {
                    choices.add(answers.get(j));
                }
            }
            int gold = random.nextInt(o.choices());
            choices.add(gold, answers.get(i));
            items.add(new ClozeItem(String.format("cloze-%05d", i), contexts.get(i), choices, gold));
        }
        return items;
    }

    /** Writes the items as JSONL (one generic task line each), atomically (temporary file, then rename). */
    public static void write(List<ClozeItem> items, Path out) {
        ObjectMapper json = new ObjectMapper();
        Path temp = out.toAbsolutePath().resolveSibling(out.getFileName() + ".tmp");
        try {
            try (BufferedWriter w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                for (ClozeItem item : items) {
                    w.write(json.writeValueAsString(item.toJson(json)));
                    w.write('\n');
                }
            }
            Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LlmoptException(out + ": cannot write: " + e.getMessage(), e);
        }
    }
}
