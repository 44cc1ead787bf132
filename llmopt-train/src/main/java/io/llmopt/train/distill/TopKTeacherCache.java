package io.llmopt.train.distill;

import io.llmopt.model.LlamaConfig;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A teacher reduced to its top-k logits per position, cached on disk so that it runs once per distinct window: the
 * first run (or epoch) that meets a window asks the real teacher and appends the window's top-k ids and logits to
 * {@code DIR/topk.bin}; later lookups (other epochs, other runs sweeping τ, α or the KL direction over the same data
 * order) read them back. Windows are keyed by their tokens (a 64-bit hash, checked against the stored tokens).
 *
 * <p>The student learns from the teacher's distribution <em>renormalised over its top k</em>: every other logit is
 * written as {@link #MASKED} (−1e30), whose softmax weight is exactly 0, so the forward KL of
 * {@link io.llmopt.train.ops.DistillationLossOp} becomes KL(q̃ ‖ p) with q̃ = softmax(t_K/τ) on the k kept ids and 0
 * elsewhere (gradient τ·(p − q̃)). The reverse KL is undefined there (the student's mass outside the top k would
 * cost ∞) and is refused. Targets are the same whether they come from the teacher or the cache.
 *
 * <p>{@code DIR/meta.properties} names the teacher, k, sequence length and vocabulary; a cache written for
 * anything else is refused. A record cut short by a killed run is dropped when the cache is opened.
 */
public final class TopKTeacherCache implements Teacher, AutoCloseable {
    /** The logit written for ids outside the top k: softmax weight 0 at any usable temperature. */
    public static final float MASKED = -1e30f;

    private final Teacher teacher;
    private final LlamaConfig config;
    private final Path dir;
    private final int k;
    private final int seqLen;
    private final int vocab;
    private final int recordBytes;
    private final FileChannel channel;
    private final Map<Long, Long> index = new HashMap<>();
    private float[] dense = new float[0];
    private long hits;
    private long misses;

    /**
     * @param teacher the real teacher, asked for windows not in the cache (null: the cache must hold every window)
     * @param teacherId what identifies the teacher (e.g. its path and size); stored and checked
     */
    public TopKTeacherCache(Teacher teacher, LlamaConfig config, String teacherId, Path dir, int k, int seqLen) {
        this.teacher = teacher;
        this.dir = dir;
        this.vocab = config.vocabSize();
        if (k < 1 || k > vocab) {
            throw new LlmoptException("--teacher-topk must be in 1.." + vocab + ", got " + k);
        }
        this.k = k;
        this.seqLen = seqLen;
        this.config = config;
        this.recordBytes = 8 + 4 * seqLen + 8 * k * seqLen;
        String meta = "teacher=" + teacherId + "\nk=" + k + "\nseq_len=" + seqLen + "\nvocab=" + vocab + "\n";
        try {
            Files.createDirectories(dir);
            Path metaFile = dir.resolve("meta.properties");
            if (Files.exists(metaFile)) {
                String old = Files.readString(metaFile, StandardCharsets.UTF_8);
                if (!old.equals(meta)) {
                    throw new LlmoptException(dir + ": the teacher cache was written for another run ("
                            + old.strip().replace('\n', ' ') + "; this run: " + meta.strip().replace('\n', ' ') + ")");
                }
            } else {
                Path temp = dir.resolve(".meta.properties.tmp");
                Files.writeString(temp, meta, StandardCharsets.UTF_8);
                try {
                    Files.move(temp, metaFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, metaFile, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            channel = FileChannel.open(dir.resolve("topk.bin"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            long whole = channel.size() / recordBytes * recordBytes;
            if (whole != channel.size()) {
                channel.truncate(whole); // a record cut short by a killed run
            }
            ByteBuffer key = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            for (long off = 0; off < whole; off += recordBytes) {
                key.clear();
                channel.read(key, off);
                index.put(key.getLong(0), off);
            }
        } catch (IOException e) {
            throw new LlmoptException(dir + ": cannot open the teacher cache: " + e.getMessage(), e);
        }
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    /** Windows served from the cache / computed by the teacher so far. */
    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    /** Windows stored. */
    public int size() {
        return index.size();
    }

    @Override
    public void logits(int[] inputs, int batch, float[] dst) {
        boolean[] cached = new boolean[batch];
        boolean anyMiss = false;
        try {
            for (int b = 0; b < batch; b++) {
                Long off = index.get(hash(inputs, b * seqLen));
                cached[b] = off != null && read(off, inputs, b, dst);
                anyMiss |= !cached[b];
            }
            if (!anyMiss) {
                hits += batch;
                return;
            }
            if (teacher == null) {
                throw new LlmoptException(dir + ": a window is missing from the teacher cache and no teacher was given");
            }
            int n = batch * seqLen * vocab;
            if (dense.length < n) {
                dense = new float[n];
            }
            teacher.logits(inputs, batch, dense);
            for (int b = 0; b < batch; b++) {
                if (cached[b]) {
                    hits++;
                    continue;
                }
                misses++;
                append(inputs, b, dst);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new LlmoptException(dir + ": teacher cache I/O failed: " + e.getMessage(), e);
        }
    }

    private static long hash(int[] inputs, int from, int n) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < n; i++) {
            h ^= inputs[from + i] & 0xFFFFFFFFL;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return h;
    }

    private long hash(int[] inputs, int from) {
        return hash(inputs, from, seqLen);
    }

    /** Fills row b of dst from a record; false if the record holds other tokens (a hash collision). */
    private boolean read(long off, int[] inputs, int b, float[] dst) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(recordBytes).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (channel.read(buf, off + buf.position()) < 0) {
                return false;
            }
        }
        buf.position(8);
        for (int i = 0; i < seqLen; i++) {
            if (buf.getInt() != inputs[b * seqLen + i]) {
                return false;
            }
        }
        for (int t = 0; t < seqLen; t++) {
            int row = (b * seqLen + t) * vocab;
            Arrays.fill(dst, row, row + vocab, MASKED);
            for (int j = 0; j < k; j++) {
                int id = buf.getInt();
                dst[row + id] = buf.getFloat();
            }
        }
        return true;
    }

    /** Top k of each position of row b of the dense teacher logits → dst (masked) and a new record. */
    private void append(int[] inputs, int b, float[] dst) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(recordBytes).order(ByteOrder.LITTLE_ENDIAN);
        long h = hash(inputs, b * seqLen);
        buf.putLong(h);
        for (int i = 0; i < seqLen; i++) {
            buf.putInt(inputs[b * seqLen + i]);
        }
        int[] top = new int[k];
        for (int t = 0; t < seqLen; t++) {
            int row = (b * seqLen + t) * vocab;
            topK(dense, row, vocab, top);
            Arrays.fill(dst, row, row + vocab, MASKED);
            for (int id : top) {
                dst[row + id] = dense[row + id];
                buf.putInt(id);
                buf.putFloat(dense[row + id]);
            }
        }
        buf.flip();
        long off = channel.size();
        while (buf.hasRemaining()) {
            channel.write(buf, off + buf.position());
        }
        index.put(h, off);
    }

    /** The ids of the k largest logits (ties: the smaller id), largest first. */
    static void topK(float[] logits, int from, int v, int[] out) {
        int k = out.length;
        int n = 0;
        for (int id = 0; id < v; id++) {
            float x = logits[from + id];
            if (n == k && !(x > logits[from + out[k - 1]])) {
                continue;
            }
            int pos = n < k ? n++ : k - 1;
            while (pos > 0 && x > logits[from + out[pos - 1]]) {
                out[pos] = out[pos - 1];
                pos--;
            }
            out[pos] = id;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new LlmoptException(dir + ": cannot close the teacher cache: " + e.getMessage(), e);
        }
    }
}
