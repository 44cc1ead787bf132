package io.llmopt.formats.safetensors;

import static io.llmopt.formats.safetensors.Messages.oneLine;
import static io.llmopt.formats.safetensors.Messages.quote;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One safetensors file, memory-mapped whole into an arena: [8-byte LE header length N][N bytes of JSON
 * header][data section]. Tensors are slices of the mapping, never copies; they stay valid while the arena is
 * alive.
 */
final class SafetensorsShard {
    private final Path file;
    private final MemorySegment mapping;
    private final long dataStart;
    private final SafetensorsHeader header;
    private final Map<String, SafetensorsEntry> byName;

    private SafetensorsShard(Path file, MemorySegment mapping, long dataStart, SafetensorsHeader header) {
        this.file = file;
        this.mapping = mapping;
        this.dataStart = dataStart;
        this.header = header;
        Map<String, SafetensorsEntry> map = new LinkedHashMap<>();
        for (SafetensorsEntry e : header.entries()) {
            map.put(e.name(), e);
        }
        this.byName = Collections.unmodifiableMap(map);
    }

    /** Maps {@code file} into {@code arena} and validates its header against the file size. */
    static SafetensorsShard open(Path file, Arena arena) {
        if (!Files.isRegularFile(file)) {
            throw new LlmoptException(file + ": no such safetensors file");
        }
        MemorySegment mapping;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new LlmoptException(file + ": file is " + size + " bytes, too small for a safetensors file (needs at least the 8-byte header length)");
            }
            mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (IOException e) {
            throw new LlmoptException(file + ": cannot read: " + oneLine(e.getMessage()), e);
        }
        long size = mapping.byteSize();
        long headerLength = mapping.get(Layouts.LONG, 0); // an unsigned u64: "negative" means ≥ 2^63
        if (headerLength < 0 || headerLength > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new LlmoptException(file + ": header length " + Long.toUnsignedString(headerLength) + " (first 8 bytes) exceeds the limit of "
                    + SafetensorsHeader.MAX_HEADER_BYTES + " bytes; not a safetensors file or corrupted");
        }
        if (headerLength > size - 8) {
            throw new LlmoptException(file + ": header length " + headerLength + " (first 8 bytes) runs past the end of the "
                    + size + "-byte file; truncated or not a safetensors file");
        }
        byte[] json = mapping.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        long dataStart = 8 + headerLength;
        SafetensorsHeader header = SafetensorsHeader.parse(file, json, size - dataStart);
        return new SafetensorsShard(file, mapping, dataStart, header);
    }

    Path file() {
        return file;
    }

    SafetensorsHeader header() {
        return header;
    }

    /** Entries by name, in header order. */
    Map<String, SafetensorsEntry> entries() {
        return byName;
    }

    /** The tensor's bytes as a {@link Tensor} view, or an error naming the file if its dtype has no llmopt type. */
    /** The stored bytes of {@code e}, whatever its dtype (a view of the mapping). */
    MemorySegment bytes(SafetensorsEntry e) {
        return mapping.asSlice(dataStart + e.dataBegin(), e.byteSize());
    }

    Tensor tensor(SafetensorsEntry e) {
        GgmlType type = e.dtype().ggmlType().orElseThrow(() -> new LlmoptException(file + ": tensor " + quote(e.name())
                + " has unsupported dtype " + e.dtype() + " (llmopt reads F32, F16, BF16, F64, I8, I16, I32, I64 from safetensors)"));
        return new Tensor(e.name(), type, e.shape(), mapping.asSlice(dataStart + e.dataBegin(), e.byteSize()));
    }
}
