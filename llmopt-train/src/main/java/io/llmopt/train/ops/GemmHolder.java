package io.llmopt.train.ops;

import java.lang.System.Logger.Level;

/** Chooses the {@link Gemm} implementation once, logging the reason for any fallback. */
final class GemmHolder {
    private static final System.Logger LOG = System.getLogger("io.llmopt.train");
    static final Gemm GEMM = choose();

    private GemmHolder() {
    }

    private static Gemm choose() {
        if (System.getProperty("llmopt.kernels", "").equalsIgnoreCase("scalar")) {
            LOG.log(Level.INFO, "training gemm: scalar (forced by -Dllmopt.kernels=scalar)");
            return new ScalarGemm();
        }
        try {
            return new VectorGemm();
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "training gemm: scalar (Vector API unavailable: " + e + ")");
            return new ScalarGemm();
        }
    }
}
