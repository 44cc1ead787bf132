package io.llmopt.formats.gguf;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.quant.BlockCodec;
import io.llmopt.tensor.quant.Codecs;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a GGUF v3 file: metadata with the exact GGUF type of each {@link GgufValue}, then tensors in the
 * order they were added, each aligned to {@code general.alignment} (32 unless set) and zero-padded, the
 * same layout llama.cpp's gguf writer produces (a copy of a llama.cpp file is byte-identical to it).
 *
 * <p>Tensors are either copied verbatim from existing bytes ({@link #addTensor(Tensor)}) or produced row by
 * row at write time and encoded with the type's codec ({@link #addTensor(String, GgmlType, long[], RowSource)};
 * every type whose codec quantizes), or written at write time by the caller ({@link #addTensor(String, GgmlType,
 * long[], TensorData)}, e.g. quantized in parallel, piece by piece). Data is streamed, so writing a model never
 * holds all of it in memory.
 *
 * <p>Writing is atomic: the file is written to a temporary file in the target's directory, forced to disk
 * and renamed over the target; on any failure the temporary file is deleted and the target is untouched.
 */
public final class GgufWriter {
    /** llama.cpp's GGML_MAX_NAME is 64 bytes including the terminating NUL. */
    public static final int MAX_TENSOR_NAME_BYTES = 63;

    /** Produces the values of one row (the last, contiguous dimension) of a tensor being written. */
    @FunctionalInterface
    public interface RowSource {
        void readRow(long row, float[] dst);
    }

    /** Receives the encoded bytes of one tensor, in order. */
    @FunctionalInterface
    public interface Sink {
        void write(MemorySegment bytes) throws IOException;
    }

    /**
     * Writes the encoded bytes of one tensor (exactly its byte size, in one or more pieces) when the file is
     * written; lets the caller encode in parallel and in pieces so that memory stays bounded.
     */
    @FunctionalInterface
    public interface TensorData {
        void writeTo(Sink sink) throws IOException;
    }

    private record Entry(String name, GgmlType type, long[] shape, MemorySegment bytes, RowSource rows, TensorData data) {
        long[] ne() {
            long[] ne = new long[shape.length];
            for (int i = 0; i < shape.length; i++) {
                ne[i] = shape[shape.length - 1 - i];
            }
            return ne;
        }

        long cols() {
            return shape.length == 0 ? 1 : shape[shape.length - 1];
        }

        long byteSize() {
            return type.byteSize(Tensor.elementCount(shape));
        }
    }

    private final Path target;
    private final LinkedHashMap<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    public GgufWriter(Path target) {
        this.target = target.toAbsolutePath();
    }

    /** Replaces all metadata with {@code values}, keeping their order. */
    public GgufWriter metadata(GgufMetadata values) {
        metadata.clear();
        values.asMap().forEach(this::put);
        return this;
    }

    /** Adds {@code key} at the end, or replaces its value in place. */
    public GgufWriter put(String key, GgufValue value) {
        if (key == null || value == null) {
            throw new LlmoptException("GGUF metadata: null key or value");
        }
        GgufValueEncoder.check(key, value);
        metadata.put(key, value);
        return this;
    }

    /** Sets {@code general.alignment} (a power of two); without it the data is aligned to 32 bytes. */
    public GgufWriter alignment(int alignment) {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0 || alignment > 1 << 30) {
            throw new LlmoptException("GGUF alignment must be a power of two, got " + alignment);
        }
        return put(GgufHeader.ALIGNMENT_KEY, GgufValue.ofUint32(alignment));
    }

    /** Adds a tensor whose bytes are copied verbatim (any type, e.g. a tensor of another GGUF file). */
    public GgufWriter addTensor(Tensor tensor) {
        return add(new Entry(tensor.name(), tensor.type(), tensor.shape(), tensor.data(), null, null));
    }

    /** Adds a tensor encoded to {@code type} from {@code values} (row-major, outermost dimension first). */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, float[] values) {
        long count = Tensor.elementCount(shape);
        if (values.length != count) {
            throw new LlmoptException("tensor '" + name + "': shape " + Arrays.toString(shape) + " has " + count
                    + " values but " + values.length + " were given");
        }
        long cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        return addTensor(name, type, shape, (row, dst) -> System.arraycopy(values, Math.toIntExact(row * cols), dst, 0, dst.length));
    }

    /** Adds a tensor encoded to {@code type} from rows produced at write time by {@code rows}. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, RowSource rows) {
        if (!Codecs.supports(type) || !Codecs.of(type).canQuantize()) {
            throw new LlmoptException("tensor '" + name + "': cannot encode values to " + type + " (no quantizer for this type)");
        }
        return add(new Entry(name, type, shape.clone(), null, rows, null));
    }

    /** Adds a tensor whose encoded bytes {@code data} writes when the file is written. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorData data) {
        return add(new Entry(name, type, shape.clone(), null, null, data));
    }

    /** Adds {@code source} re-encoded to {@code type} (e.g. F32 → Q8_0), decoded and encoded row by row. */
    public GgufWriter addConverted(Tensor source, GgmlType type) {
        if (source.type() == type) {
            return addTensor(source);
        }
        return addTensor(source.name(), type, source.shape(), (row, dst) -> source.readRow(row, dst, 0));
    }

    private GgufWriter add(Entry e) {
        if (!e.type().isGguf()) {
            throw new LlmoptException("tensor '" + e.name() + "': " + e.type() + " is an llmopt in-memory type, GGUF cannot store it");
        }
        byte[] utf8 = e.name().getBytes(StandardCharsets.UTF_8);
        if (utf8.length == 0 || utf8.length > MAX_TENSOR_NAME_BYTES) {
            throw new LlmoptException("tensor '" + e.name() + "': a GGUF tensor name must have 1.." + MAX_TENSOR_NAME_BYTES
                    + " UTF-8 bytes, this one has " + utf8.length);
        }
        if (e.shape().length > GgufHeaderReader.MAX_DIMS) {
            throw new LlmoptException("tensor '" + e.name() + "': GGUF allows at most " + GgufHeaderReader.MAX_DIMS
                    + " dimensions, shape is " + Arrays.toString(e.shape()));
        }
        if (e.cols() % e.type().blockSize() != 0) {
            throw new LlmoptException("tensor '" + e.name() + "': rows of " + e.cols() + " values are not a multiple of the "
                    + e.type() + " block size " + e.type().blockSize());
        }
        if (e.rows() != null && e.type().byteSize(e.cols()) > Integer.MAX_VALUE - 8) {
            throw new LlmoptException("tensor '" + e.name() + "': rows of " + e.cols() + " values are too long to encode");
        }
        e.byteSize(); // validates the shape (no negative dimension, no overflow)
        if (!names.add(e.name())) {
            throw new LlmoptException("tensor '" + e.name() + "' was added twice");
        }
        entries.add(e);
        return this;
    }

    /** Writes the file atomically; see the class comment. */
    public void write() {
        int alignment = alignment();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new LlmoptException(target + ": the directory " + dir + " does not exist");
        }
        Path temp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                GgufOutput out = new GgufOutput(channel);
                writeHeader(out, alignment);
                for (Entry e : entries) {
                    writeData(out, e);
                    out.pad(alignment);
                }
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new LlmoptException(target + ": cannot replace the file atomically on this file system", e);
            }
            moved = true;
        } catch (IOException e) {
            throw new LlmoptException(target + ": cannot write: " + e, e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the original failure matters more than a leftover temporary file
                }
            }
        }
    }

    private int alignment() {
        GgufValue v = metadata.get(GgufHeader.ALIGNMENT_KEY);
        if (v == null) {
            return GgufHeader.DEFAULT_ALIGNMENT;
        }
        long a = v.type() == GgufValueType.UINT32 ? (Long) v.value() : -1;
        if (a <= 0 || (a & (a - 1)) != 0 || a > 1 << 30) {
            throw new LlmoptException("GGUF metadata '" + GgufHeader.ALIGNMENT_KEY + "' must be a UINT32 power of two, got " + v.type() + " " + v.value());
        }
        return (int) a;
    }

    private void writeHeader(GgufOutput out, int alignment) throws IOException {
        out.u32(GgufHeaderReader.MAGIC);
        out.u32(3);
        out.u64(entries.size());
        out.u64(metadata.size());
        for (Map.Entry<String, GgufValue> kv : metadata.entrySet()) {
            out.string(kv.getKey());
            GgufValueEncoder.write(out, kv.getValue());
        }
        long offset = 0;
        for (Entry e : entries) {
            out.string(e.name());
            long[] ne = e.ne();
            out.u32(ne.length);
            for (long d : ne) {
                out.u64(d);
            }
            out.u32(e.type().id());
            out.u64(offset);
            offset += GgufHeaderReader.alignUp(e.byteSize(), alignment);
        }
        if (!entries.isEmpty()) { // like gguf-py, a file without tensors (e.g. a vocabulary) ends unpadded
            out.pad(alignment);
        }
    }

    private static void writeData(GgufOutput out, Entry e) throws IOException {
        if (e.bytes() != null) {
            out.bytes(e.bytes());
            return;
        }
        if (e.data() != null) {
            long[] written = {0};
            e.data().writeTo(piece -> {
                written[0] += piece.byteSize();
                if (written[0] > e.byteSize()) {
                    throw new LlmoptException("tensor '" + e.name() + "': more than its " + e.byteSize() + " bytes were written");
                }
                out.bytes(piece);
            });
            if (written[0] != e.byteSize()) {
                throw new LlmoptException("tensor '" + e.name() + "': " + written[0] + " bytes were written, expected " + e.byteSize());
            }
            return;
        }
        BlockCodec codec = Codecs.of(e.type());
        int cols = (int) e.cols();
        long rows = cols == 0 ? 0 : Tensor.elementCount(e.shape()) / cols;
        float[] row = new float[cols];
        byte[] encoded = new byte[(int) e.type().byteSize(cols)];
        MemorySegment encodedSegment = MemorySegment.ofArray(encoded);
        for (long r = 0; r < rows; r++) {
            e.rows().readRow(r, row);
            codec.quantize(row, 0, cols, encodedSegment, 0);
            out.bytes(encodedSegment);
        }
    }
}
