package io.llmopt.formats.bnb;

import io.llmopt.formats.safetensors.SafetensorsDtype;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.quant.BlockCodec;
import io.llmopt.tensor.quant.Codecs;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Quantizes one weight matrix to bitsandbytes' serialized form (see {@link BnbLayout}), row by row with llmopt's
 * NF4/FP4/INT8 codecs so that the rounding is the codecs' (bitsandbytes' reference rules), then splits the blocks
 * into bitsandbytes' separate tensors. Rows must be a multiple of the type's block (64 for 4-bit, 32 for int8),
 * so blocks never straddle rows and bitsandbytes' flattened blocking equals ours.
 */
public final class BnbEncoder {
    /** One tensor of the serialized form: its name in the state dict, dtype, shape and bytes. */
    public record Part(String name, SafetensorsDtype dtype, long[] shape, MemorySegment bytes) {
    }

    /** Produces row {@code row} of the weight ({@code cols} values). */
    @FunctionalInterface
    public interface Rows {
        void read(long row, float[] dst);
    }

    /** bitsandbytes' nested blocksize for double quantization. */
    public static final int NESTED_BLOCKSIZE = 256;

    private BnbEncoder() {
    }

    /**
     * NF4 or FP4 ({@code type}) with bitsandbytes' blocksize 64; with {@code doubleQuant} the absmax values are
     * stored as 8-bit codes of (absmax − mean) in blocks of 256 (the dynamic map), else as float32.
     *
     * @param dtype the compute dtype recorded in the quant state ("float32", "float16", "bfloat16")
     */
    public static List<Part> fourBit(String weight, GgmlType type, long rows, int cols, Rows source, boolean doubleQuant, String dtype) {
        if (type != GgmlType.NF4 && type != GgmlType.FP4) {
            throw new LlmoptException("not a 4-bit type: " + type);
        }
        check(type, cols);
        BlockCodec codec = Codecs.of(type);
        int blocksPerRow = cols / type.blockSize();
        long blocks = rows * blocksPerRow;
        byte[] packed = new byte[Math.toIntExact(rows * cols / 2)];
        float[] absmax = new float[Math.toIntExact(blocks)];
        float[] row = new float[cols];
        byte[] encoded = new byte[(int) type.byteSize(cols)];
        MemorySegment seg = MemorySegment.ofArray(encoded);
        int half = type.blockSize() / 2;
        for (long r = 0; r < rows; r++) {
            source.read(r, row);
            codec.quantize(row, 0, cols, seg, 0);
            for (int b = 0; b < blocksPerRow; b++) {
                long block = (long) b * type.blockBytes();
                int index = Math.toIntExact(r * blocksPerRow + b);
                absmax[index] = seg.get(Layouts.FLOAT, block);
                System.arraycopy(encoded, (int) block + 4, packed, index * half, half);
            }
        }
        String quantType = type == GgmlType.NF4 ? "nf4" : "fp4";
        List<Part> parts = new ArrayList<>();
        parts.add(new Part(weight, SafetensorsDtype.U8, new long[] {packed.length, 1}, MemorySegment.ofArray(packed)));
        float offset = Float.NaN;
        if (doubleQuant) {
            double sum = 0;
            for (float a : absmax) {
                sum += a;
            }
            offset = (float) (sum / absmax.length);
            float[] centred = new float[absmax.length];
            for (int i = 0; i < centred.length; i++) {
                centred[i] = absmax[i] - offset;
            }
            float[] map = DynamicMap.values();
            float[] nested = new float[(centred.length + NESTED_BLOCKSIZE - 1) / NESTED_BLOCKSIZE];
            byte[] codes = Blockwise8bit.quantize(centred, NESTED_BLOCKSIZE, map, nested);
            parts.add(new Part(weight + ".absmax", SafetensorsDtype.U8, new long[] {codes.length}, MemorySegment.ofArray(codes)));
            parts.add(floats(weight + ".nested_absmax", nested));
            parts.add(floats(weight + ".nested_quant_map", map));
        } else {
            parts.add(floats(weight + ".absmax", absmax));
        }
        parts.add(floats(weight + ".quant_map", Codecs.levels(type)));
        BnbQuantState state = new BnbQuantState(quantType, type.blockSize(), dtype, new long[] {rows, cols}, doubleQuant,
                doubleQuant ? NESTED_BLOCKSIZE : 0, offset);
        byte[] json = state.toJsonBytes();
        parts.add(new Part(weight + BnbQuantState.suffix(quantType), SafetensorsDtype.U8, new long[] {json.length}, MemorySegment.ofArray(json)));
        return parts;
    }

    /**
     * LLM.int8: int8 codes [rows, cols] under the weight's own name and one float32 absmax per row under
     * {@code <module>.SCB} ({@link BnbLayout#scb}).
     */
    public static List<Part> int8(String weight, long rows, int cols, Rows source) {
        check(GgmlType.INT8, cols);
        BlockCodec codec = Codecs.of(GgmlType.INT8);
        byte[] codes = new byte[Math.toIntExact(rows * cols)];
        float[] scb = new float[Math.toIntExact(rows)];
        float[] row = new float[cols];
        byte[] encoded = new byte[(int) GgmlType.INT8.byteSize(cols)];
        MemorySegment seg = MemorySegment.ofArray(encoded);
        int qk = GgmlType.INT8.blockSize();
        for (long r = 0; r < rows; r++) {
            source.read(r, row);
            codec.quantize(row, 0, cols, seg, 0);
            scb[(int) r] = seg.get(Layouts.FLOAT, 0);
            for (int b = 0; b < cols / qk; b++) {
                System.arraycopy(encoded, b * GgmlType.INT8.blockBytes() + 4, codes, (int) (r * cols + (long) b * qk), qk);
            }
        }
        return List.of(new Part(weight, SafetensorsDtype.I8, new long[] {rows, cols}, MemorySegment.ofArray(codes)),
                floats(BnbLayout.scb(weight), scb));
    }

    private static void check(GgmlType type, int cols) {
        if (cols % type.blockSize() != 0) {
            throw new LlmoptException(type + " needs rows that are a multiple of " + type.blockSize() + " values, got " + cols);
        }
    }

    private static Part floats(String name, float[] v) {
        MemorySegment seg = MemorySegment.ofArray(new byte[4 * v.length]);
        for (int i = 0; i < v.length; i++) {
            seg.set(Layouts.FLOAT, 4L * i, v[i]);
        }
        return new Part(name, SafetensorsDtype.F32, new long[] {v.length}, seg);
    }
}
