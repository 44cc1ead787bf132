package io.llmopt.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StopSequencesTest {

    /**
     * name, stop strings, chunks (fed until a stop matches), text each feed returns (then flush() if no stop
     * matched), the stop that matched (null: none).
     */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("stop split across three chunks", List.of("</s>"),
                        List.of("Hello <", "/", "s> world"), List.of("Hello ", "", ""), "</s>"),
                Arguments.of("false prefix is released", List.of("STOP"),
                        List.of("go ST", "ART now"), List.of("go ", "START now", ""), null),
                Arguments.of("prefix at the end is held until flush", List.of("STOP"),
                        List.of("go ST", "ART S"), List.of("go ", "START ", "S"), null),
                Arguments.of("two stop strings", List.of("\n\n", "User:"),
                        List.of("Hi\nUs", "er: hey"), List.of("Hi\n", ""), "User:"),
                Arguments.of("two stop strings, the other one", List.of("\n\n", "User:"),
                        List.of("Hi\n", "\nUser:"), List.of("Hi", ""), "\n\n"),
                Arguments.of("overlapping prefixes release part of the held text", List.of("abcd", "bce"),
                        List.of("xab", "c", "e"), List.of("x", "", "a"), "bce"),
                Arguments.of("self-overlapping stop", List.of("aab"),
                        List.of("aa", "aab"), List.of("", "aa"), "aab"),
                Arguments.of("earliest end wins in one chunk", List.of("abc", "b"),
                        List.of("abc"), List.of("a"), "b"),
                Arguments.of("earliest end wins across chunks", List.of("abc", "b"),
                        List.of("ab", "c"), List.of("a"), "b"),
                Arguments.of("same end: the longer stop wins", List.of("c", "abc"),
                        List.of("xabc"), List.of("x"), "abc"),
                Arguments.of("emoji stop string with its surrogates in different chunks", List.of("🛑"),
                        List.of("ok 😀", "\uD83D", "\uDED1 tail"), List.of("ok 😀", "", ""), "🛑"),
                Arguments.of("a split emoji is never emitted half", List.of("END"),
                        List.of("a\uD83D", "\uDE00b"), List.of("a", "😀b", ""), null),
                Arguments.of("emoji that shares a high surrogate with the stop", List.of("🛑"),
                        List.of("\uD83D", "\uDE00!"), List.of("", "😀!", ""), null),
                Arguments.of("CJK stop string split in the middle", List.of("结束"),
                        List.of("你好结", "束了"), List.of("你好", ""), "结束"),
                Arguments.of("stop at the very start", List.of("###"),
                        List.of("###rest"), List.of(""), "###"),
                Arguments.of("no stop strings: everything passes", List.of(),
                        List.of("a", "b"), List.of("a", "b", ""), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void streamsAndStops(String name, List<String> stops, List<String> chunks, List<String> texts, String stop) {
        StopSequences matcher = new StopSequences(stops);
        List<String> got = new ArrayList<>();
        StopSequences.Result last = null;
        for (String chunk : chunks) {
            last = matcher.feed(chunk);
            got.add(last.text());
            if (last.stopped()) {
                break; // the caller stops generating; later chunks are never fed
            }
        }
        if (!last.stopped()) {
            got.add(matcher.flush());
        }
        assertThat(got).isEqualTo(texts);
        assertThat(last.stop()).isEqualTo(stop);
        assertThat(matcher.finished()).isTrue();
    }

    @Test
    void afterAStopFeedingIsAnErrorAndFlushIsEmpty() {
        StopSequences matcher = new StopSequences(List.of("x"));
        assertThat(matcher.feed("ax").stopped()).isTrue();
        assertThat(matcher.flush()).isEmpty();
        assertThatThrownBy(() -> matcher.feed("more")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void invalidStopStringsAreUserErrors() {
        assertThatThrownBy(() -> new StopSequences(List.of("ok", ""))).isInstanceOf(LlmoptException.class)
                .hasMessage("stop strings must not be empty, got \"\" at index 1");
        assertThatThrownBy(() -> new StopSequences(List.of("\uD83D"))).isInstanceOf(LlmoptException.class)
                .hasMessageContaining("lone surrogate");
    }

    /** Brute-force meaning: the first position where some stop string ends; longest on a tie. */
    private static String[] reference(String text, List<String> stops) {
        for (int end = 1; end <= text.length(); end++) {
            String best = null;
            for (String s : stops) {
                if (end >= s.length() && text.startsWith(s, end - s.length())
                        && (best == null || s.length() > best.length())) {
                    best = s;
                }
            }
            if (best != null) {
                return new String[] {text.substring(0, end - best.length()), best};
            }
        }
        return new String[] {text, null};
    }

    @Test
    void anyChunkingGivesTheBruteForceAnswer() {
        Random random = new Random(12);
        String alphabet = "ab😀 \n";
        for (int trial = 0; trial < 2000; trial++) {
            List<String> stops = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                stops.add(randomText(random, alphabet, 1 + random.nextInt(4)));
            }
            String text = randomText(random, alphabet, random.nextInt(30));
            String[] want = reference(text, stops);

            StopSequences matcher = new StopSequences(stops);
            StringBuilder emitted = new StringBuilder();
            String stop = null;
            int at = 0;
            while (at < text.length() && stop == null) {
                int end = Math.min(text.length(), at + 1 + random.nextInt(5)); // may split surrogate pairs
                StopSequences.Result r = matcher.feed(text.substring(at, end));
                assertThat(r.text()).as("emitted text never ends inside a surrogate pair")
                        .satisfies(t -> assertThat(t.isEmpty() || !Character.isHighSurrogate(t.charAt(t.length() - 1))).isTrue());
                emitted.append(r.text());
                stop = r.stop();
                at = end;
            }
            if (stop == null) {
                emitted.append(matcher.flush());
            }
            assertThat(stop).as("stop for %s in %s", stops, text).isEqualTo(want[1]);
            assertThat(emitted.toString()).as("text for %s in %s", stops, text).isEqualTo(want[0]);
        }
    }

    private static String randomText(Random random, String alphabet, int codePoints) {
        int[] cps = alphabet.codePoints().toArray();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            sb.appendCodePoint(cps[random.nextInt(cps.length)]);
        }
        return sb.toString();
    }
}
