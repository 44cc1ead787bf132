package io.llmopt.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The execution form of a 2-D Q4_0 matrix for L-lane vector kernels, built once at load time and attached
 * with {@link Tensor#withPacked} (files are still written from the GGUF bytes). It holds the same values;
 * only where the bytes sit changes, so that decode reads one long sequential stream per thread and unpacks
 * a vector of nibbles with one shift and one mask:
 *
 * <ul>
 * <li><b>Four rows interleaved.</b> Rows are taken in groups of four (the last group padded with zero rows);
 * a group's columns are cut into chunks of 8·L, and for each chunk the four rows' nibbles follow each other
 * (4·L bytes per row). A kernel that multiplies four rows at once therefore walks memory strictly forward.
 * In the GGUF layout every row is its own short stream (1 KB at 2048 columns), and the hardware prefetcher
 * keeps losing them: the four-row GEMV streamed 3.9 GB/s per core from memory, interleaved 4.6, and
 * interleaved with the lane order below 5.8 (one core, 32768×2048, 2026-11-23).</li>
 * <li><b>Lane-transposed nibbles.</b> Within a chunk, the 32-bit word of lane l (bytes 4l..4l+3) holds in its
 * nibble j (bits 4j..4j+3) the column L·j + l. So (word >>> 4j) & 15 is the vector of columns
 * [L·j, L·j + L) in natural order: the kernels' fused multiply-adds meet exactly the columns, in exactly the
 * order, of the GGUF-layout kernels, and the outputs keep their bits.</li>
 * <li><b>Float scales.</b> d of every block as a float32, in the same group order (four rows' 8L/32 scales
 * per chunk), so a kernel broadcasts it with a plain load instead of widening a half per block.</li>
 * </ul>
 *
 * <p>Bytes per weight: 0.5 + 4/32 = 0.625, against Q4_0's 0.5625 (scales widened to float). Needs cols a
 * multiple of 8·L (and of 32); {@link #supports} says which tensors qualify.
 */
public final class LanePackedQ4_0 implements PackedRows {
    private final int lanes;
    private final int rows;
    private final int cols;
    private final MemorySegment nibbles;
    private final MemorySegment scales;

    private LanePackedQ4_0(int lanes, int rows, int cols, MemorySegment nibbles, MemorySegment scales) {
        this.lanes = lanes;
        this.rows = rows;
        this.cols = cols;
        this.nibbles = nibbles;
        this.scales = scales;
    }

    /** Whether {@code t} can take this form for {@code lanes}-float vectors. */
    public static boolean supports(Tensor t, int lanes) {
        return t.type() == GgmlType.Q4_0 && t.rank() == 2 && t.dim(0) > 0 && (lanes == 4 || lanes == 8 || lanes == 16)
                && t.dim(1) > 0 && t.dim(1) % (8L * lanes) == 0 && t.dim(1) % 32 == 0
                && (t.dim(0) + 3) / 4 * 4 * t.dim(1) / 2 < Integer.MAX_VALUE;
    }

    /** Repacks {@code t} (read, never changed) into fresh memory that lives as long as the returned object is reachable. */
    public static LanePackedQ4_0 pack(Tensor t, int lanes) {
        if (!supports(t, lanes)) {
            throw new LlmoptException("tensor '" + t.name() + "': the lane-packed Q4_0 form needs a 2-D Q4_0 matrix whose columns are a multiple of "
                    + 8 * lanes + ", got " + t);
        }
        int rows = Math.toIntExact(t.dim(0));
        int cols = Math.toIntExact(t.dim(1));
        int groups = (rows + 3) / 4;
        int blocks = cols / 32;
        Arena arena = Arena.ofAuto();
        MemorySegment nib = arena.allocate((long) groups * 4 * cols / 2, 64);
        MemorySegment sc = arena.allocate((long) groups * 4 * blocks * Float.BYTES, 64);
        MemorySegment src = t.data();
        long rowBytes = t.rowBytes();
        byte[] q = new byte[cols];
        byte[] out = new byte[4 * lanes];
        int chunk = 8 * lanes;
        int chunkBlocks = chunk / 32;
        for (int r = 0; r < rows; r++) {
            long ro = r * rowBytes;
            for (int b = 0; b < blocks; b++) {
                long bo = ro + 18L * b;
                for (int j = 0; j < 16; j++) {
                    int v = src.get(Layouts.BYTE, bo + 2 + j) & 0xFF;
                    q[32 * b + j] = (byte) (v & 15);
                    q[32 * b + j + 16] = (byte) (v >>> 4);
                }
            }
            int g = r >>> 2, k = r & 3;
            for (int c = 0; c < cols / chunk; c++) {
                java.util.Arrays.fill(out, (byte) 0);
                for (int j = 0; j < 8; j++) {
                    for (int l = 0; l < lanes; l++) {
                        out[4 * l + (j >>> 1)] |= (byte) (q[c * chunk + lanes * j + l] << (4 * (j & 1)));
                    }
                }
                MemorySegment.copy(out, 0, nib, Layouts.BYTE, nibbleOffset(g, c, k, cols, lanes), out.length);
                for (int i = 0; i < chunkBlocks; i++) {
                    float d = Float.float16ToFloat(src.get(Layouts.SHORT, ro + 18L * (c * chunkBlocks + i)));
                    sc.set(Layouts.FLOAT, scaleIndex(g, c, k, i, cols, lanes) * (long) Float.BYTES, d);
                }
            }
        }
        return new LanePackedQ4_0(lanes, rows, cols, nib, sc);
    }

    /** Byte offset of row 4g + k's nibbles of column chunk c (4·L bytes). */
    public static long nibbleOffset(int g, int c, int k, int cols, int lanes) {
        return (long) g * 2 * cols + (long) c * 16 * lanes + (long) k * 4 * lanes;
    }

    /** Index (in floats) of row 4g + k's scale of block i of column chunk c. */
    public static long scaleIndex(int g, int c, int k, int i, int cols, int lanes) {
        int chunkBlocks = lanes / 4;
        return (long) g * 4 * (cols / 32) + (long) c * 4 * chunkBlocks + (long) k * chunkBlocks + i;
    }

    /** The reference decode: dst[p + c] = W[row, c], the values of the Q4_0 decoder (a zero may differ in sign). */
    @Override
    public void decodeRow(int row, float[] dst, int p) {
        int g = row >>> 2, k = row & 3;
        int chunk = 8 * lanes;
        for (int c = 0; c < cols; c++) {
            int ch = c / chunk, in = c % chunk;
            int j = in / lanes, l = in % lanes;
            int word = nibbles.get(Layouts.INT, nibbleOffset(g, ch, k, cols, lanes) + 4L * l);
            int q = (word >>> (4 * j)) & 15;
            float d = scales.get(Layouts.FLOAT, scaleIndex(g, ch, k, in / 32, cols, lanes) * Float.BYTES);
            dst[p + c] = Math.fma((float) q, d, -8f * d);
        }
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    /** Float lanes of the vectors this form is laid out for. */
    public int lanes() {
        return lanes;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    /** The interleaved, lane-transposed nibbles (see the class comment); read-only. */
    public MemorySegment nibbles() {
        return nibbles;
    }

    /** The float32 block scales in group order; read-only. */
    public MemorySegment scales() {
        return scales;
    }

    @Override
    public long byteSize() {
        return nibbles.byteSize() + scales.byteSize();
    }
}
