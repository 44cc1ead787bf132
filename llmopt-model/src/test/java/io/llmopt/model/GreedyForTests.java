package io.llmopt.model;

/** Argmax decoding straight on the model (prompt as one batch, then token by token). */
final class GreedyForTests {
    private GreedyForTests() {
    }

    static int[] generate(LlamaModel m, int[] prompt, int n) {
        ForwardState s = m.newState(prompt.length + n, 64);
        float[] logits = m.forward(s, prompt, 0, prompt.length, 0, false);
        int[] out = new int[n];
        int[] one = new int[1];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int v = 1; v < logits.length; v++) {
                if (logits[v] > logits[best]) {
                    best = v;
                }
            }
            out[i] = best;
            one[0] = best;
            if (i + 1 < n) {
                logits = m.forward(s, one, 0, 1, prompt.length + i, false);
            }
        }
        return out;
    }
}
