package io.llmopt.formats.safetensors;

import static io.llmopt.formats.safetensors.Messages.oneLine;
import static io.llmopt.formats.safetensors.Messages.quote;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Collects tensors and writes them as one safetensors file or as Hugging Face shards
 * ({@code model-00001-of-0000N.safetensors} + {@code model.safetensors.index.json}).
 *
 * <p>Layout of each file: 8-byte LE header length, the compact JSON header padded with spaces to a multiple of
 * 8 bytes, then the data. {@code __metadata__} comes first in the header and always has a {@code "format"}
 * ({@code "pt"} unless given), which transformers requires. Within a file, tensors are laid out in the order
 * they were added, stably sorted by descending element width (as the reference implementation does), so every
 * tensor's data starts at a file offset aligned to its element size.
 *
 * <p>Writing is streaming (headers are computed from shapes and dtypes first, then tensors are produced and
 * written one at a time) and atomic (temporary files in the target directory, renamed into place last; on
 * failure the temporaries are deleted).
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Pattern HF_MODEL_FILE = Pattern.compile("model(-\\d{5}-of-\\d{5})?\\.safetensors|model\\.safetensors\\.index\\.json");

    private final LinkedHashMap<String, PendingTensor> tensors = new LinkedHashMap<>();
    private Map<String, String> metadata = Map.of("format", "pt");

    /** Replaces the {@code __metadata__} map; {@code "format": "pt"} is added if it has no "format". */
    public SafetensorsWriter metadata(Map<String, String> metadata) {
        LinkedHashMap<String, String> copy = new LinkedHashMap<>();
        if (!metadata.containsKey("format")) {
            copy.put("format", "pt");
        }
        copy.putAll(metadata);
        this.metadata = copy;
        return this;
    }

    /** Adds {@code tensor} under its own name, bytes unchanged (its type must be F32, F16, BF16, F64 or an integer type). */
    public SafetensorsWriter add(Tensor tensor) {
        return put(PendingTensor.of(checkName(tensor.name()), tensor));
    }

    /** Adds {@code tensor} converted to {@code dtype} (F32, F16 or BF16); unchanged if it already has that type. */
    public SafetensorsWriter add(Tensor tensor, GgmlType dtype) {
        String name = checkName(tensor.name());
        return put(tensor.type() == dtype ? PendingTensor.of(name, tensor) : PendingTensor.converted(name, tensor, dtype));
    }

    /** Adds float values (row-major, {@code shape} outermost first) to be stored as {@code dtype} (F32, F16 or BF16). */
    public SafetensorsWriter add(String name, GgmlType dtype, long[] shape, float[] values) {
        long needed = PendingTensor.elementCount(name, shape);
        if (values.length != needed) {
            throw new LlmoptException("tensor " + quote(name) + ": shape " + Arrays.toString(shape) + " needs " + needed
                    + " values, got " + values.length);
        }
        return put(PendingTensor.floats(checkName(name), dtype, shape, () -> values));
    }

    /**
     * Adds a tensor whose float values are computed only when it is written ({@code values} is called once,
     * during {@link #write} or {@link #writeSharded}), so a converter can hold one tensor in memory at a time.
     */
    public SafetensorsWriter add(String name, GgmlType dtype, long[] shape, Supplier<float[]> values) {
        return put(PendingTensor.floats(checkName(name), dtype, shape, values));
    }

    /**
     * Adds {@code bytes} stored as they are under {@code dtype} and {@code shape} (for dtypes without an llmopt
     * tensor type, such as U8: packed quantized weights, serialized quantization state); the size must match.
     */
    public SafetensorsWriter addBytes(String name, SafetensorsDtype dtype, long[] shape, MemorySegment bytes) {
        long[] shapeCopy = shape.clone();
        long expected = PendingTensor.byteSize(checkName(name), dtype, shapeCopy);
        if (bytes.byteSize() != expected) {
            throw new LlmoptException("tensor " + quote(name) + ": " + dtype + " " + Arrays.toString(shape) + " needs " + expected
                    + " bytes, got " + bytes.byteSize());
        }
        return put(new PendingTensor(name, dtype, shapeCopy, expected, (t, out) -> PendingTensor.writeSegment(bytes, out)));
    }

    private String checkName(String name) {
        if (name == null || name.isEmpty() || name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new LlmoptException("invalid tensor name " + (name == null ? "null" : quote(name)));
        }
        if (tensors.containsKey(name)) {
            throw new LlmoptException("tensor " + quote(name) + " was added twice");
        }
        return name;
    }

    private SafetensorsWriter put(PendingTensor t) {
        tensors.put(t.name(), t);
        return this;
    }

    /** Total bytes of tensor data (what the index calls {@code total_size}). */
    public long dataBytes() {
        return tensors.values().stream().mapToLong(PendingTensor::byteSize).sum();
    }

    /** Writes every tensor to the single file {@code file}, atomically. */
    public void write(Path file) {
        Path temp = AtomicFiles.temporaryFor(file);
        try {
            writeShard(file, temp, List.copyOf(tensors.values()));
            AtomicFiles.commit(temp, file);
        } catch (RuntimeException | Error e) { // also OutOfMemoryError: never leave a temporary behind
            AtomicFiles.deleteQuietly(temp);
            throw e;
        }
    }

    /**
     * Writes a Hugging Face checkpoint into {@code dir}: tensors are assigned to shards in order, a new shard
     * starting when the next tensor would push the current one past {@code maxShardBytes} of data (a tensor
     * larger than that gets a shard of its own). With one shard the result is {@value SafetensorsFile#SINGLE_FILE_NAME}
     * and no index, as transformers does. Files in {@code dir} left over from an earlier checkpoint under the same
     * naming scheme ({@code model.safetensors}, {@code model-NNNNN-of-NNNNN.safetensors}, the index) are removed
     * after the new files are in place, so the directory never mixes two checkpoints.
     *
     * @return the files written: shards in order, then the index if any
     */
    public List<Path> writeSharded(Path dir, long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new LlmoptException("maximum shard size must be positive, got " + maxShardBytes);
        }
        List<List<PendingTensor>> plan = plan(maxShardBytes);
        List<Path> targets = new ArrayList<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (int i = 0; i < plan.size(); i++) {
            String name = plan.size() == 1 ? SafetensorsFile.SINGLE_FILE_NAME
                    : String.format("model-%05d-of-%05d.safetensors", i + 1, plan.size());
            targets.add(dir.resolve(name));
            plan.get(i).forEach(t -> weightMap.put(t.name(), name));
        }
        if (plan.size() > 1) {
            targets.add(dir.resolve(SafetensorsIndex.FILE_NAME));
        }
        List<Path> temps = new ArrayList<>();
        List<Path> committed = new ArrayList<>();
        try {
            for (int i = 0; i < plan.size(); i++) {
                Path temp = AtomicFiles.temporaryFor(targets.get(i));
                temps.add(temp);
                writeShard(targets.get(i), temp, plan.get(i));
            }
            if (plan.size() > 1) {
                Path temp = AtomicFiles.temporaryFor(targets.getLast());
                temps.add(temp);
                writeBytes(targets.getLast(), temp, SafetensorsIndex.toJson(dataBytes(), weightMap));
            }
            for (int i = 0; i < targets.size(); i++) { // the index goes last: readers never see it before its shards
                AtomicFiles.commit(temps.get(i), targets.get(i));
                committed.add(targets.get(i));
            }
        } catch (RuntimeException | Error e) {
            temps.forEach(AtomicFiles::deleteQuietly);
            committed.forEach(AtomicFiles::deleteQuietly);
            throw e;
        }
        removeStale(dir, targets);
        return List.copyOf(targets);
    }

    private List<List<PendingTensor>> plan(long maxShardBytes) {
        List<List<PendingTensor>> shards = new ArrayList<>();
        List<PendingTensor> current = new ArrayList<>();
        long currentBytes = 0;
        for (PendingTensor t : tensors.values()) {
            if (!current.isEmpty() && currentBytes + t.byteSize() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(t);
            currentBytes += t.byteSize();
        }
        shards.add(current);
        return shards;
    }

    private void writeShard(Path target, Path temp, List<PendingTensor> contents) {
        List<PendingTensor> layout = new ArrayList<>(contents);
        layout.sort(Comparator.comparingInt((PendingTensor t) -> t.dtype().bits()).reversed());
        byte[] header = header(layout);
        try (FileChannel out = AtomicFiles.openForWriting(temp)) {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            while (prefix.hasRemaining()) {
                out.write(prefix);
            }
            ByteBuffer json = ByteBuffer.wrap(header);
            while (json.hasRemaining()) {
                out.write(json);
            }
            for (PendingTensor t : layout) {
                long before = out.position();
                t.source().writeTo(t, out);
                if (out.position() - before != t.byteSize()) {
                    throw new LlmoptException(target + ": tensor " + quote(t.name()) + " produced " + (out.position() - before)
                            + " bytes, expected " + t.byteSize());
                }
            }
            out.force(true);
        } catch (IOException e) {
            throw new LlmoptException(target + ": cannot write: " + oneLine(e.toString()), e);
        }
    }

    /** The JSON header for tensors written in {@code layout} order, padded with spaces to a multiple of 8. */
    private byte[] header(List<PendingTensor> layout) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
        metadata.forEach(meta::put);
        long offset = 0;
        for (PendingTensor t : layout) {
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", t.dtype().name());
            var shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + t.byteSize());
            offset += t.byteSize();
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new LlmoptException("cannot serialize safetensors header: " + oneLine(e.getMessage()), e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeBytes(Path target, Path temp, byte[] bytes) {
        try (FileChannel out = AtomicFiles.openForWriting(temp)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                out.write(b);
            }
            out.force(true);
        } catch (IOException e) {
            throw new LlmoptException(target + ": cannot write: " + oneLine(e.toString()), e);
        }
    }

    private static void removeStale(Path dir, List<Path> written) {
        Set<Path> keep = new HashSet<>();
        written.forEach(p -> keep.add(p.getFileName()));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                if (HF_MODEL_FILE.matcher(p.getFileName().toString()).matches() && !keep.contains(p.getFileName())) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new LlmoptException(dir + ": the new checkpoint was written but a stale file could not be removed: " + oneLine(e.toString()), e);
        }
    }
}
