package io.llmopt.compress.imatrix;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * llama.cpp's {@code imatrix.dat} (examples/imatrix, b4747), all integers little-endian int32:
 * <pre>
 *   n_entries
 *   n_entries × { name_len, name (UTF-8, no NUL), ncall, nval, nval × float32 value }
 *   chunks (the number of chunks the matrix was computed on), dataset_len, dataset (the text file's name)
 * </pre>
 * {@code value[c]} is the sum over calls of the mean of x_c² over that call's tokens, for the input x of the
 * weight's matrix multiplications, so {@code value / ncall} is the mean square of input column c. The two
 * trailing fields are absent in files of older llama.cpp versions.
 *
 * @param entries per weight name (GGUF tensor names), in file order
 * @param chunks  number of chunks, or −1 when the file does not say
 * @param dataset the calibration text's name, "" when unknown
 */
public record ImatrixFile(Map<String, Entry> entries, int chunks, String dataset) {
    /** Names longer than this are not weight names: guards against reading garbage as a length. */
    private static final int MAX_NAME_BYTES = 4096;

    /** One weight's statistics: the number of calls and the per-column sums described above. */
    public record Entry(int ncall, float[] values) {
        /** The per-column mean of squared activations, computed as llama-quantize does (value / ncall). */
        public float[] means() {
            float[] m = values.clone();
            if (ncall > 0) {
                for (int i = 0; i < m.length; i++) {
                    m[i] /= ncall;
                }
            }
            return m;
        }
    }

    public ImatrixFile {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        dataset = dataset == null ? "" : dataset;
    }

    public static ImatrixFile read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new LlmoptException(path + ": cannot read: " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = int32(b, path, "the number of entries");
        if (n < 1) {
            throw new LlmoptException(path + ": not an importance matrix (llama.cpp imatrix.dat): " + n + " entries at offset 0");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            int at = b.position();
            int len = int32(b, path, "the name length of entry " + (i + 1));
            if (len < 1 || len > MAX_NAME_BYTES || len > b.remaining()) {
                throw new LlmoptException(path + ": entry " + (i + 1) + " at offset " + at + " has a name length of " + len
                        + " bytes; not an importance matrix, or truncated");
            }
            byte[] name = new byte[len];
            b.get(name);
            String key = new String(name, StandardCharsets.UTF_8);
            int ncall = int32(b, path, "the call count of '" + key + "'");
            int nval = int32(b, path, "the value count of '" + key + "'");
            if (nval < 1 || (long) nval * 4 > b.remaining()) {
                throw new LlmoptException(path + ": entry '" + key + "' at offset " + at + " says " + nval + " values but "
                        + b.remaining() / 4 + " remain in the file");
            }
            float[] values = new float[nval];
            b.asFloatBuffer().get(values);
            b.position(b.position() + 4 * nval);
            if (entries.put(key, new Entry(ncall, values)) != null) {
                throw new LlmoptException(path + ": entry '" + key + "' appears twice");
            }
        }
        int chunks = -1;
        String dataset = "";
        if (b.hasRemaining()) {
            chunks = int32(b, path, "the chunk count");
            int len = int32(b, path, "the dataset name length");
            if (len < 0 || len > b.remaining()) {
                throw new LlmoptException(path + ": dataset name length " + len + " at offset " + (b.position() - 4) + " exceeds the file");
            }
            byte[] name = new byte[len];
            b.get(name);
            dataset = new String(name, StandardCharsets.UTF_8);
            if (b.hasRemaining()) {
                throw new LlmoptException(path + ": " + b.remaining() + " unexpected bytes after the dataset name at offset " + b.position());
            }
        }
        return new ImatrixFile(entries, chunks, dataset);
    }

    private static int int32(ByteBuffer b, Path path, String what) {
        if (b.remaining() < 4) {
            throw new LlmoptException(path + ": truncated at offset " + b.position() + ", expected " + what);
        }
        return b.getInt();
    }

    /** Writes the file in llama.cpp's layout, atomically (temporary file in the same directory, then rename). */
    public void write(Path target) {
        if (entries.isEmpty()) {
            throw new LlmoptException(target + ": an importance matrix needs at least one entry (llama.cpp rejects empty files)");
        }
        int size = 4;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            size += 12 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 4 * e.getValue().values().length;
        }
        byte[] ds = dataset.getBytes(StandardCharsets.UTF_8);
        size += 8 + ds.length;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(entries.size());
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            b.putInt(name.length).put(name).putInt(e.getValue().ncall()).putInt(e.getValue().values().length);
            for (float v : e.getValue().values()) {
                b.putFloat(v);
            }
        }
        b.putInt(Math.max(chunks, 0)).putInt(ds.length).put(ds);
        b.flip();
        Path abs = target.toAbsolutePath();
        Path temp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(temp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
                    // the original failure matters more
                }
            }
        }
    }
}
