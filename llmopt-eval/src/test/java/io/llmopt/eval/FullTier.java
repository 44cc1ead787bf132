package io.llmopt.eval;

import org.junit.jupiter.api.Assumptions;

/**
 * The full-size reference runs (whole files, 100+ chunks) take minutes on two cores, so they run only with
 * {@code -Dllmopt.eval.full=true}; otherwise they are skipped with a visible line.
 */
final class FullTier {
    private FullTier() {
    }

    static void require(String what) {
        if (!Boolean.getBoolean("llmopt.eval.full")) {
            System.out.println("skipped: " + what + " (full-size reference run; enable with -Dllmopt.eval.full=true)");
            Assumptions.abort("full-size reference run; enable with -Dllmopt.eval.full=true");
        }
    }
}
