package io.llmopt.tensor.kernel;

import io.llmopt.tensor.ColumnPanels;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LanePackedQ4_0;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.PackedRows;
import io.llmopt.tensor.RowInterleaved;
import io.llmopt.tensor.Tensor;
import java.util.Map;
import java.util.WeakHashMap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels mirroring {@link ScalarKernels}. The species is a {@code static final} constant (chosen
 * once from {@code -Dllmopt.vector.bits=128|256|512}, else the platform's preferred width): the Vector API is
 * only compiled to SIMD instructions when the species is a constant, otherwise every operation falls back to
 * allocating Java code. Each loop follows one skeleton: a body with several accumulators up to the last
 * full group of vectors, a single-vector loop, a scalar tail, a reduce. Weight rows of every type are read
 * in place from the (memory-mapped) segment and decoded in registers ({@link RowKernels}); batches run
 * the cache-blocked {@link Gemm}.
 */
public final class VectorKernels implements Kernels {
    static final VectorSpecies<Float> SPECIES = chooseSpecies();
    private static final VectorSpecies<Float> species = SPECIES;

    private static final boolean PACK_WEIGHTS = !"false".equalsIgnoreCase(System.getProperty("llmopt.packWeights", "true"));
    private static final boolean COLUMN_PANELS = !"false".equalsIgnoreCase(System.getProperty("llmopt.columnPanels", "true"));
    private static final boolean PACK_Q4_0 = !"false".equalsIgnoreCase(System.getProperty("llmopt.packQ4_0", "true"));
    /** Tensors are compared by identity, and a packed form does not keep its source tensor reachable. */
    private final Map<Tensor, Tensor> prepared = new WeakHashMap<>();
    private final ThreadLocal<VectorMatMul> jobs = ThreadLocal.withInitial(VectorMatMul::new);
    private final ThreadLocal<SharedInputGemv> sharedJobs = ThreadLocal.withInitial(SharedInputGemv::new);

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
        return RowKernels.dot(a, aOffset, b, bOffset, n);
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
    public void dots(float[] q, int qOffset, float[] k, int kOffset, int stride, int count, int n, float[] out, int outOffset) {
        AttentionRows.dots(q, qOffset, k, kOffset, stride, count, n, out, outOffset);
    }

    @Override
    public void axpys(float[] alpha, int alphaOffset, float[] x, int xOffset, int stride, int count, float[] y, int yOffset, int n) {
        AttentionRows.axpys(alpha, alphaOffset, x, xOffset, stride, count, y, yOffset, n);
    }

    @Override
    public void dots2(float[] q, int qoA, int qoB, float[] k, int kOffset, int stride, int count, int n, float[] out, int ooA, int ooB) {
        AttentionRows.dots2(q, qoA, qoB, k, kOffset, stride, count, n, out, ooA, ooB);
    }

    @Override
    public void axpys2(float[] alpha, int aoA, int aoB, float[] x, int xoA, int xoB, int stride, int count, float[] y, int yoA, int yoB, int n) {
        AttentionRows.axpys2(alpha, aoA, aoB, x, xoA, xoB, stride, count, y, yoA, yoB, n);
    }

    @Override
    public void tileDots(float[] q, int qo, int qs, int heads, float[] t, int to, int width, int lane, int count, int n,
            float[] out, int oo, int os) {
        KeyTiles.dots(q, qo, qs, heads, t, to, width, lane, count, n, out, oo, os);
    }

    @Override
    public void tileDotsAt(float[] q, int qo, int qs, int heads, float[] t, int[] tiles, int ti, int width, int lane, int count,
            int n, float[] out, int oo, int os) {
        KeyTiles.dots(q, qo, qs, heads, t, tiles, ti, width, lane, count, n, out, oo, os);
    }

    @Override
    public void axpysHeads(float[] alpha, int ao, int as, int heads, float[] x, int xo, int stride, int count, float[] y, int yo,
            int ys, int n) {
        AttentionRows.axpysHeads(alpha, ao, as, heads, x, xo, stride, count, y, yo, ys, n);
    }

    /** {@link Prefetch#floats}: prefetcht0 for every line of the range (nothing where no prefetch stub could be made). */
    @Override
    public void prefetch(float[] a, int from, int to) {
        Prefetch.floats(a, from, to);
    }

    @Override
    public void prefetch(short[] a, int from, int to) {
        Prefetch.shorts(a, from, to);
    }

    @Override
    public void prefetch(byte[] a, int from, int to) {
        Prefetch.bytes(a, from, to);
    }

    @Override
    public float dotRow(Tensor w, long row, float[] x, int xOffset, float[] scratch) {
        if (w.sparse() != null) {
            w.readRow(row, scratch, 0);
            return RowKernels.dot(scratch, 0, x, xOffset, Math.toIntExact(w.cols()));
        }
        // scratch holds ≥ cols floats, which covers RowKernels' decode chunk (never more than cols values)
        return RowKernels.dot(w.type(), w.data(), row * w.rowBytes(), Math.toIntExact(w.cols()), x, xOffset, scratch);
    }

    /**
     * Q8_0, Q4_0 and K-quant (Q2_K … Q6_K) matrices, and F32 and F16 matrices in read-only memory (mapped from a file), get
     * their {@link ColumnPanels} form (-Dllmopt.columnPanels=false: the forms below instead); otherwise Q4_0 matrices whose columns fill whole packed chunks get their {@link LanePackedQ4_0} form, other
     * matrices of a type with a fused GEMV ({@link FusedGemv#supports}: the block-quantized types) their {@link RowInterleaved} form
     * (memoized per tensor, so models built on the same weights share it). -Dllmopt.packWeights=false keeps
     * the GGUF layout for all, -Dllmopt.packQ4_0=false the interleaved form for Q4_0.
     */
    @Override
    public Tensor prepare(Tensor w) {
        if (!PACK_WEIGHTS || w.packed() != null || w.sparse() != null || w.rank() != 2) {
            return w;
        }
        // float matrices only when read-only (mapped from a file): weights being pruned or trained in place keep their layout
        boolean columns = COLUMN_PANELS && ColumnPanels.supports(w, species.length()) && (w.type().isQuantized() || w.data().isReadOnly());
        boolean lanePacked = !columns && PACK_Q4_0 && LanePackedQ4_0.supports(w, species.length());
        boolean interleaved = !columns && !lanePacked && w.type() != GgmlType.F16 && RowInterleaved.supports(w)
                && FusedGemv.supports(w.type(), Math.toIntExact(w.cols()));
        if (!columns && !lanePacked && !interleaved) {
            return w;
        }
        synchronized (prepared) {
            Tensor done = prepared.get(w);
            if (done != null) {
                return done;
            }
        }
        PackedRows form = null;
        if (columns) {
            try {
                form = ColumnPanels.pack(w, species.length());
            } catch (LlmoptException e) { // an F16 matrix with an infinite or NaN weight: the GGUF-layout kernels read it
                return w;
            }
        }
        Tensor packed = w.withPacked(form != null ? form
                : lanePacked ? LanePackedQ4_0.pack(w, species.length()) : RowInterleaved.pack(w));
        synchronized (prepared) {
            Tensor raced = prepared.putIfAbsent(w, packed);
            if (raced != null) {
                return raced;
            }
        }
        if (w.data().isMapped()) {
            // the kernels read the packed copy from now on: let the file's pages go rather than hold the model twice
            // (they are clean, so a later read of the tensor's bytes, e.g. a writer, just faults them back in)
            w.data().unload();
        }
        return packed;
    }

    @Override
    public void matmul(Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset, WorkerPool pool) {
        jobs.get().run(w, x, xOffset, batch, out, outOffset, pool);
    }

    @Override
    public void matmulShared(Tensor[] w, float[] x, int xOffset, int batch, float[][] out, WorkerPool pool) {
        if (batch != 1) {
            Kernels.super.matmulShared(w, x, xOffset, batch, out, pool);
            return;
        }
        sharedJobs.get().run(w, x, xOffset, out, pool);
    }
}
