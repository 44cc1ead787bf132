package io.llmopt.tensor.kernel;

import java.lang.System.Logger.Level;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

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

    /** Vector kernels of a given width in bits, e.g. for tests that compare every width with the scalar twin. */
    public static VectorKernels vector(int bits) {
        return new VectorKernels(VectorSpecies.of(float.class, VectorShape.forBitSize(bits)));
    }

    private static Kernels choose() {
        String forced = System.getProperty("llmopt.kernels", "");
        if (forced.equalsIgnoreCase("scalar")) {
            LOG.log(Level.INFO, "kernels: scalar (forced by -Dllmopt.kernels=scalar)");
            return new ScalarKernels();
        }
        try {
            String bits = System.getProperty("llmopt.vector.bits", "");
            VectorSpecies<Float> species = bits.isEmpty() ? FloatVector.SPECIES_PREFERRED
                    : VectorSpecies.of(float.class, VectorShape.forBitSize(Integer.parseInt(bits)));
            if (species.length() < 4 && bits.isEmpty()) {
                LOG.log(Level.WARNING, "kernels: scalar (preferred vector width is only " + species.vectorBitSize() + " bits)");
                return new ScalarKernels();
            }
            return new VectorKernels(species);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "kernels: scalar (Vector API unavailable: " + e + ")");
            return new ScalarKernels();
        }
    }
}
