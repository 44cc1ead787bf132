package io.llmopt.server;

import io.llmopt.engine.Completion;
import io.llmopt.engine.GeneratedToken;
import java.util.ArrayList;
import java.util.List;

/** What one choice has produced so far (text, tokens kept for logprobs) and how it ended. */
final class ChoiceOutput {
    final int index;
    final int promptIndex;
    final StringBuilder text = new StringBuilder();
    final List<GeneratedToken> tokens = new ArrayList<>();
    Completion completion;
    String finishReason;
    long lastTokenNanos;

    ChoiceOutput(int index, int promptIndex) {
        this.index = index;
        this.promptIndex = promptIndex;
    }

    void finish(Completion c, boolean timedOut) {
        completion = c;
        text.append(c.trailingText());
        finishReason = timedOut ? "length" : c.reason().apiName();
    }
}
