package io.llmopt.eval.mc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SentencesTest {
    @Test
    void splitsAtSentenceEndsOnly() {
        assertThat(Sentences.split("Mr. Brown had a dog.\nThe bird said, \"Thank you!\" and flew away. \"Wow!\" Tom said. Is it?  Yes!"))
                .containsExactly("Mr. Brown had a dog.", "The bird said, \"Thank you!\" and flew away.", "\"Wow!\"", "Tom said.", "Is it?", "Yes!");
    }

    @Test
    void documentsBreakAtBlankLinesAndEndOfText() {
        assertThat(Sentences.documents("A b.\n\nC d.\n<|endoftext|>\nE f.\n \nG")).containsExactly("A b.", "C d.", "E f.", "G");
    }
}
