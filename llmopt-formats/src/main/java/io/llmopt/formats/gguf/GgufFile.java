package io.llmopt.formats.gguf;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open GGUF file (v2 or v3): its validated header and its tensors as zero-copy views of one read-only
 * memory mapping of the whole file (files larger than 2 GB work).
 *
 * <p>The mapping belongs to a shared arena: tensors may be read from any thread until {@link #close()},
 * after which every {@link Tensor} obtained from this file becomes unusable (accessing it throws
 * IllegalStateException). Opening validates the whole header and tensor layout; any problem is reported
 * as a one-line {@link LlmoptException} naming the file and, where it applies, the byte offset.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final GgufHeader header;
    private final Map<String, GgufTensorInfo> infosByName;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, GgufHeader header) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.header = header;
        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
        for (GgufTensorInfo info : header.tensorInfos()) {
            byName.put(info.name(), info);
        }
        this.infosByName = Collections.unmodifiableMap(byName);
    }

    /** Maps and validates {@code path}. The caller must {@link #close()} the result. */
    public static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapping;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            }
            return new GgufFile(path, arena, mapping, GgufHeaderReader.read(mapping, path.toString()));
        } catch (NoSuchFileException e) {
            arena.close();
            throw new LlmoptException(path + ": no such file");
        } catch (AccessDeniedException e) {
            arena.close();
            throw new LlmoptException(path + ": permission denied");
        } catch (IOException e) {
            arena.close();
            String why = Files.isDirectory(path) ? "is a directory" : "cannot be read: " + e.getMessage();
            throw new LlmoptException(path + ": " + why, e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Parses a copy of {@code bytes} as if it were the file {@code name} (in-memory data, fuzz tests); the copy
     * lives until {@link #close()}.
     */
    static GgufFile fromBytes(Path name, MemorySegment bytes) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment copy = arena.allocate(Math.max(1, bytes.byteSize())).asSlice(0, bytes.byteSize());
            MemorySegment.copy(bytes, 0, copy, 0, bytes.byteSize());
            return new GgufFile(name, arena, copy, GgufHeaderReader.read(copy, name.toString()));
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** The GGUF version: 2 or 3. */
    public int version() {
        return header.version();
    }

    public GgufMetadata metadata() {
        return header.metadata();
    }

    /** {@code general.alignment}, or 32 when the file does not set it. */
    public int alignment() {
        return header.alignment();
    }

    /** Absolute file offset of the data section; tensor offsets are relative to it. */
    public long dataOffset() {
        return header.dataOffset();
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    /** The tensor infos in file order. */
    public List<GgufTensorInfo> tensorInfos() {
        return header.tensorInfos();
    }

    public Optional<GgufTensorInfo> findTensorInfo(String name) {
        return Optional.ofNullable(infosByName.get(name));
    }

    /** The tensor called {@code name}; fails with a message naming the file if it has none. */
    public Tensor tensor(String name) {
        return findTensor(name).orElseThrow(() -> new LlmoptException(path + ": no tensor named '" + name + "' (the file has "
                + infosByName.size() + " tensors)"));
    }

    public Optional<Tensor> findTensor(String name) {
        GgufTensorInfo info = infosByName.get(name);
        return info == null ? Optional.empty() : Optional.of(view(info));
    }

    /** Every tensor, in file order. */
    public List<Tensor> tensors() {
        List<Tensor> tensors = new ArrayList<>(infosByName.size());
        for (GgufTensorInfo info : header.tensorInfos()) {
            tensors.add(view(info));
        }
        return tensors;
    }

    private Tensor view(GgufTensorInfo info) {
        MemorySegment data = mapping.asSlice(header.dataOffset() + info.offset(), info.byteSize());
        return new Tensor(info.name(), info.type(), info.shape(), data);
    }

    /** Unmaps the file; tensors obtained from it must not be used afterwards. Idempotent. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return path + " (GGUF v" + version() + ", " + metadata().keys().size() + " keys, " + infosByName.size() + " tensors)";
    }
}
