package io.llmopt.tensor.kernel;

import java.lang.System.Logger.Level;

/**
 * Chooses the kernel implementation once. System properties: {@code llmopt.kernels=scalar|vector} forces a
 * set; {@code llmopt.vector.bits=128|256|512} forces the vector width (for tests of each path). Any fallback
 * to the scalar kernels is logged with its reason.
 */
public final class KernelProvider {
    private static final System.Logger LOG = System.getLogger("io.llmopt.kernels");

    private KernelProvider() {
    }

    private static final class Holder {
        static final Kernels KERNELS = choose();
    }

    public static Kernels get() {
        return Holder.KERNELS;
    }

    private static Kernels choose() {
        String forced = System.getProperty("llmopt.kernels", "");
        if (forced.equalsIgnoreCase("scalar")) {
            LOG.log(Level.INFO, "kernels: scalar (forced by -Dllmopt.kernels=scalar)");
            return new ScalarKernels();
        }
        try {
            int bits = VectorKernels.vectorBits();
            if (bits < 128 && System.getProperty("llmopt.vector.bits", "").isEmpty()) {
                LOG.log(Level.WARNING, "kernels: scalar (preferred vector width is only " + bits + " bits)");
                return new ScalarKernels();
            }
            return new VectorKernels();
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "kernels: scalar (Vector API unavailable: " + e + ")");
            return new ScalarKernels();
        }
    }
}
