package io.llmopt.eval.mc;

import java.util.List;

/** One multiple-choice question: its answers and the index of the right one. */
public record McItem(String id, List<McChoice> choices, int gold) {
    public McItem {
        choices = List.copyOf(choices);
        if (choices.size() < 2) {
            throw new IllegalArgumentException("needs at least 2 choices, got " + choices.size());
        }
        if (gold < 0 || gold >= choices.size()) {
            throw new IllegalArgumentException("gold index " + gold + " is not in 0.." + (choices.size() - 1));
        }
    }
}
