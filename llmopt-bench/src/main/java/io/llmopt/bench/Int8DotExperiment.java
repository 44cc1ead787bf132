package io.llmopt.bench;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The question llama.cpp answers with int8: is it faster to quantize the activation vector to Q8_0 once and
 * take integer dot products with the packed weights, than to widen the weights to floats? The Vector API has
 * no byte dot-product instruction (vpmaddubsw / vpdpbusd), so the int8 path widens bytes to shorts, multiplies
 * (products of two int8 fit a short, and so does the sum of two), widens to ints and scales per block.
 * Compute-bound setting: a Q8_0 or Q4_0 matrix of {@code rows}×2048 that stays in L2, one thread, so the
 * kernels' instruction cost is measured rather than memory. {@link #floatDecode} is the production GEMV;
 * {@link #int8Dot} includes quantizing x (once per call, as a matmul would).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Int8DotExperiment {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;
    private static final int COLS = 2048;

    @Param({"Q8_0", "Q4_0"})
    public String type;

    @Param({"256"})
    public int rows;

    private Arena arena;
    private Tensor w;
    private WorkerPool pool;
    private Kernels kernels;
    private final float[] x = new float[COLS];
    private final byte[] xq = new byte[COLS];
    private final float[] xd = new float[COLS / 32];
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        w = RandomMatrices.create(arena, GgmlType.byName(type), rows, COLS, 5);
        pool = new WorkerPool(1);
        kernels = KernelProvider.get();
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < COLS; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        out = new float[rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdown();
        arena.close();
    }

    @Benchmark
    public float floatDecode() {
        kernels.matmul(w, x, 0, 1, out, 0, pool);
        return out[0];
    }

    @Benchmark
    public float int8Dot() {
        quantize();
        MemorySegment seg = w.data();
        long rowBytes = w.rowBytes();
        boolean q4 = w.type() == GgmlType.Q4_0;
        for (int r = 0; r < rows; r++) {
            out[r] = q4 ? dotQ4(seg, r * rowBytes) : dotQ8(seg, r * rowBytes);
        }
        return out[0];
    }

    /** Q8_0 activations: per 32 values d = max|x|/127, q = round(x/d) (ggml's rounding up to ties). */
    private void quantize() {
        for (int b = 0; b < COLS / 32; b++) {
            FloatVector v0 = FloatVector.fromArray(F, x, 32 * b);
            FloatVector v1 = FloatVector.fromArray(F, x, 32 * b + 16);
            float amax = v0.abs().max(v1.abs()).reduceLanes(VectorOperators.MAX);
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            xd[b] = d;
            ((IntVector) v0.mul(id).convert(VectorOperators.F2I, 0)).convertShape(VectorOperators.I2B, B16, 0).reinterpretAsBytes().intoArray(xq, 32 * b);
            ((IntVector) v1.mul(id).convert(VectorOperators.F2I, 0)).convertShape(VectorOperators.I2B, B16, 0).reinterpretAsBytes().intoArray(xq, 32 * b + 16);
        }
    }

    private static ShortVector shorts(ByteVector b) {
        return (ShortVector) b.convertShape(VectorOperators.B2S, S16, 0);
    }

    private float dotQ8(MemorySegment seg, long o) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < COLS / 32; b++, o += 34) {
            ShortVector p = shorts(ByteVector.fromMemorySegment(B16, seg, o + 2, ByteOrder.LITTLE_ENDIAN)).mul(shorts(ByteVector.fromArray(B16, xq, 32 * b)))
                    .add(shorts(ByteVector.fromMemorySegment(B16, seg, o + 18, ByteOrder.LITTLE_ENDIAN)).mul(shorts(ByteVector.fromArray(B16, xq, 32 * b + 16))));
            FloatVector f = (FloatVector) p.convertShape(VectorOperators.S2I, I16, 0).convert(VectorOperators.I2F, 0);
            acc = f.fma(FloatVector.broadcast(F, Float.float16ToFloat(seg.get(Layouts.SHORT, o)) * xd[b]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private float dotQ4(MemorySegment seg, long o) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < COLS / 32; b++, o += 18) {
            ByteVector q = ByteVector.fromMemorySegment(B16, seg, o + 2, ByteOrder.LITTLE_ENDIAN);
            ShortVector p = shorts(q.and((byte) 15).sub((byte) 8)).mul(shorts(ByteVector.fromArray(B16, xq, 32 * b)))
                    .add(shorts(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)).mul(shorts(ByteVector.fromArray(B16, xq, 32 * b + 16))));
            FloatVector f = (FloatVector) p.convertShape(VectorOperators.S2I, I16, 0).convert(VectorOperators.I2F, 0);
            acc = f.fma(FloatVector.broadcast(F, Float.float16ToFloat(seg.get(Layouts.SHORT, o)) * xd[b]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
