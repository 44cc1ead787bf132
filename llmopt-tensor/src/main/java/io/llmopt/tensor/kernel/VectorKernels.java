package io.llmopt.tensor.kernel;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels mirroring {@link ScalarKernels}. The species is a {@code static final} constant (chosen
 * once from {@code -Dllmopt.vector.bits=128|256|512}, else the platform's preferred width): the Vector API is
 * only compiled to SIMD instructions when the species is a constant, otherwise every operation falls back to
 * allocating Java code. Each loop follows one skeleton: a body with four
 * accumulators up to the last full group of four vectors, a single-vector loop, a scalar tail, a reduce.
 * F32 weight rows are read in place from the (memory-mapped) segment; other types are decoded into scratch.
 */
public final class VectorKernels implements Kernels {
    static final VectorSpecies<Float> SPECIES = chooseSpecies();
    private static final VectorSpecies<Float> species = SPECIES;

    private final ThreadLocal<RowMatMul> jobs = ThreadLocal.withInitial(() -> new RowMatMul(this));

    private static VectorSpecies<Float> chooseSpecies() {
        String bits = System.getProperty("llmopt.vector.bits", "");
        if (bits.isEmpty()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(Integer.parseInt(bits)));
    }

    @Override
    public String name() {
        return "vector" + species.vectorBitSize();
    }

    public static int vectorBits() {
        return species.vectorBitSize();
    }

    @Override
    public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int len = species.length();
        int i = 0;
        FloatVector acc0 = FloatVector.zero(species);
        FloatVector acc1 = FloatVector.zero(species);
        FloatVector acc2 = FloatVector.zero(species);
        FloatVector acc3 = FloatVector.zero(species);
        for (int bound = n - 4 * len; i <= bound; i += 4 * len) {
            acc0 = FloatVector.fromArray(species, a, aOffset + i).fma(FloatVector.fromArray(species, b, bOffset + i), acc0);
            acc1 = FloatVector.fromArray(species, a, aOffset + i + len).fma(FloatVector.fromArray(species, b, bOffset + i + len), acc1);
            acc2 = FloatVector.fromArray(species, a, aOffset + i + 2 * len).fma(FloatVector.fromArray(species, b, bOffset + i + 2 * len), acc2);
            acc3 = FloatVector.fromArray(species, a, aOffset + i + 3 * len).fma(FloatVector.fromArray(species, b, bOffset + i + 3 * len), acc3);
        }
        for (int bound = n - len; i <= bound; i += len) {
            acc0 = FloatVector.fromArray(species, a, aOffset + i).fma(FloatVector.fromArray(species, b, bOffset + i), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
        int len = species.length();
        int i = 0;
        FloatVector va = FloatVector.broadcast(species, alpha);
        for (int bound = n - len; i <= bound; i += len) {
            FloatVector vy = FloatVector.fromArray(species, y, yOffset + i);
            FloatVector.fromArray(species, x, xOffset + i).fma(va, vy).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] += alpha * x[xOffset + i];
        }
    }

    @Override
    public float dotRow(Tensor w, long row, float[] x, int xOffset, float[] scratch) {
        int n = Math.toIntExact(w.cols());
        if (w.type() != GgmlType.F32) {
            w.readRow(row, scratch, 0);
            return dot(scratch, 0, x, xOffset, n);
        }
        var seg = w.data();
        long base = row * 4L * n;
        int len = species.length();
        int i = 0;
        FloatVector acc0 = FloatVector.zero(species);
        FloatVector acc1 = FloatVector.zero(species);
        FloatVector acc2 = FloatVector.zero(species);
        FloatVector acc3 = FloatVector.zero(species);
        for (int bound = n - 4 * len; i <= bound; i += 4 * len) {
            long o = base + 4L * i;
            acc0 = FloatVector.fromMemorySegment(species, seg, o, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(species, x, xOffset + i), acc0);
            acc1 = FloatVector.fromMemorySegment(species, seg, o + 4L * len, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(species, x, xOffset + i + len), acc1);
            acc2 = FloatVector.fromMemorySegment(species, seg, o + 8L * len, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(species, x, xOffset + i + 2 * len), acc2);
            acc3 = FloatVector.fromMemorySegment(species, seg, o + 12L * len, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(species, x, xOffset + i + 3 * len), acc3);
        }
        for (int bound = n - len; i <= bound; i += len) {
            acc0 = FloatVector.fromMemorySegment(species, seg, base + 4L * i, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(species, x, xOffset + i), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += seg.get(io.llmopt.tensor.Layouts.FLOAT, base + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public void matmul(Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset, WorkerPool pool) {
        jobs.get().run(w, x, xOffset, batch, out, outOffset, pool);
    }
}
