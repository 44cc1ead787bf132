package io.llmopt.formats.bnb;

import io.llmopt.formats.safetensors.SafetensorsDtype;
import io.llmopt.formats.safetensors.SafetensorsFile;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.quant.Codecs;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads a bitsandbytes-quantized weight of a safetensors checkpoint ({@link BnbLayout}) into one llmopt
 * {@link Tensor}: NF4/FP4/INT8 in-memory blocks when the shape and tables allow, else F32. The result lives on
 * the heap (it is assembled from several file tensors), so loading costs about the quantized size in memory.
 */
public final class BnbDecoder {
    /** Where the serialized tensors come from: a checkpoint, or parts just encoded. */
    public interface Store {
        /** A name for messages. */
        String source();

        Optional<BnbEncoder.Part> find(String name);

        static Store of(SafetensorsFile st) {
            return new Store() {
                @Override
                public String source() {
                    return st.source().toString();
                }

                @Override
                public Optional<BnbEncoder.Part> find(String name) {
                    return st.findEntry(name).map(e -> new BnbEncoder.Part(name, e.dtype(), e.shape(), st.findBytes(name).orElseThrow()));
                }
            };
        }

        static Store of(String source, java.util.List<BnbEncoder.Part> parts) {
            java.util.Map<String, BnbEncoder.Part> byName = new java.util.HashMap<>();
            parts.forEach(p -> byName.put(p.name(), p));
            return new Store() {
                @Override
                public String source() {
                    return source;
                }

                @Override
                public Optional<BnbEncoder.Part> find(String name) {
                    return Optional.ofNullable(byName.get(name));
                }
            };
        }
    }

    private BnbDecoder() {
    }

    /** The weight as a tensor if {@code st} stores it quantized by bitsandbytes; empty for an ordinary tensor. */
    public static Optional<Tensor> find(SafetensorsFile st, String weight) {
        return find(Store.of(st), weight);
    }

    /** As {@link #find(SafetensorsFile, String)} for any store. */
    public static Optional<Tensor> find(Store st, String weight) {
        for (String quantType : new String[] {"nf4", "fp4"}) {
            Optional<BnbEncoder.Part> state = st.find(weight + BnbQuantState.suffix(quantType));
            if (state.isPresent()) {
                return Optional.of(fourBit(st, weight, BnbQuantState.parse(state.get().bytes().toArray(Layouts.BYTE),
                        st.source() + ": " + weight)));
            }
        }
        Optional<BnbEncoder.Part> entry = st.find(weight);
        if (entry.isPresent() && entry.get().dtype() == SafetensorsDtype.I8 && st.find(BnbLayout.scb(weight)).isPresent()) {
            return Optional.of(int8(st, weight, entry.get()));
        }
        return Optional.empty();
    }

    private static Tensor fourBit(Store st, String weight, BnbQuantState s) {
        String where = st.source() + ": " + weight;
        GgmlType type = switch (s.quantType()) {
            case "nf4" -> GgmlType.NF4;
            case "fp4" -> GgmlType.FP4;
            default -> throw new LlmoptException(where + ": unknown bitsandbytes quant_type '" + s.quantType() + "'");
        };
        if (s.shape().length != 2 || s.blocksize() <= 0) {
            throw new LlmoptException(where + ": bitsandbytes weight must be 2-D with a positive blocksize, got shape "
                    + Arrays.toString(s.shape()) + " and blocksize " + s.blocksize());
        }
        long rows = s.shape()[0];
        long cols = s.shape()[1];
        long n = rows * cols;
        int blocks = Math.toIntExact((n + s.blocksize() - 1) / s.blocksize());
        MemorySegment packed = bytes(st, weight, (n + 1) / 2, where);
        float[] absmax;
        if (s.nested()) {
            byte[] codes = bytes(st, weight + ".absmax", blocks, where).toArray(Layouts.BYTE);
            int nestedBlocks = (blocks + s.nestedBlocksize() - 1) / s.nestedBlocksize();
            float[] nested = floats(st, weight + ".nested_absmax", nestedBlocks, where);
            float[] map = floats(st, weight + ".nested_quant_map", 256, where);
            absmax = Blockwise8bit.dequantize(codes, nested, s.nestedBlocksize(), map, s.nestedOffset());
        } else {
            absmax = floats(st, weight + ".absmax", blocks, where);
        }
        float[] levels = st.find(weight + ".quant_map").isPresent()
                ? floats(st, weight + ".quant_map", 16, where) : Codecs.levels(type);
        if (s.blocksize() == type.blockSize() && cols % type.blockSize() == 0 && Arrays.equals(levels, Codecs.levels(type))) {
            int half = type.blockSize() / 2;
            byte[] out = new byte[Math.toIntExact(type.byteSize(n))];
            MemorySegment seg = MemorySegment.ofArray(out);
            for (int b = 0; b < blocks; b++) {
                long block = (long) b * type.blockBytes();
                seg.set(Layouts.FLOAT, block, absmax[b]);
                MemorySegment.copy(packed, (long) b * half, seg, block + 4, half);
            }
            return new Tensor(weight, type, s.shape(), seg);
        }
        float[] values = new float[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            int b = packed.get(Layouts.BYTE, i / 2) & 0xFF;
            int code = i % 2 == 0 ? b >>> 4 : b & 0x0F;
            values[i] = levels[code] * absmax[i / s.blocksize()];
        }
        return new Tensor(weight, GgmlType.F32, s.shape(), MemorySegment.ofArray(values));
    }

    private static Tensor int8(Store st, String weight, BnbEncoder.Part e) {
        String where = st.source() + ": " + weight;
        long[] shape = e.shape();
        if (shape.length != 2) {
            throw new LlmoptException(where + ": int8 weight must be 2-D, got shape " + Arrays.toString(shape));
        }
        long rows = shape[0];
        int cols = Math.toIntExact(shape[1]);
        MemorySegment codes = e.bytes();
        float[] scb = floats(st, BnbLayout.scb(weight), Math.toIntExact(rows), where);
        int qk = GgmlType.INT8.blockSize();
        if (cols % qk == 0) {
            byte[] out = new byte[Math.toIntExact(GgmlType.INT8.byteSize(rows * cols))];
            MemorySegment seg = MemorySegment.ofArray(out);
            long at = 0;
            for (long r = 0; r < rows; r++) {
                for (int b = 0; b < cols / qk; b++, at += GgmlType.INT8.blockBytes()) {
                    seg.set(Layouts.FLOAT, at, scb[(int) r]);
                    MemorySegment.copy(codes, r * cols + (long) b * qk, seg, at + 4, qk);
                }
            }
            return new Tensor(weight, GgmlType.INT8, shape, seg);
        }
        float[] values = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < values.length; i++) {
            values[i] = codes.get(Layouts.BYTE, i) * scb[i / cols] / 127f;
        }
        return new Tensor(weight, GgmlType.F32, shape, MemorySegment.ofArray(values));
    }

    private static MemorySegment bytes(Store st, String name, long expected, String where) {
        MemorySegment b = st.find(name).orElseThrow(() -> new LlmoptException(where + ": missing tensor '" + name + "'")).bytes();
        if (b.byteSize() != expected) {
            throw new LlmoptException(where + ": tensor '" + name + "' has " + b.byteSize() + " bytes, expected " + expected);
        }
        return b;
    }

    private static float[] floats(Store st, String name, int expected, String where) {
        BnbEncoder.Part e = st.find(name).orElseThrow(() -> new LlmoptException(where + ": missing tensor '" + name + "'"));
        if (e.dtype() != SafetensorsDtype.F32 || e.bytes().byteSize() != 4L * expected) {
            throw new LlmoptException(where + ": tensor '" + name + "' is " + e.dtype() + " " + Arrays.toString(e.shape())
                    + ", expected F32 with " + expected + " values");
        }
        return e.bytes().toArray(Layouts.FLOAT);
    }
}
