package io.llmopt.train.checkpoint;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.train.TrainHistory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Training checkpoints on disk. Layout (big-endian header, little-endian float arrays):
 * <pre>
 * "LLMOPTCK" · u32 version · UTF modelConfig · u32 n · n × (UTF key, UTF value) · UTF objective
 * i64 step, epoch, windowIndex, tokensSeen, optimizerUpdates
 * u32 steps · f32[steps] trainLoss · f32[steps] learningRate · f32[steps] gradNorm · u32 evals · i32[evals] · f32[evals]
 * u32 P · f32[P] params · f32[P] firstMoments · f32[P] secondMoments
 * i64 CRC-32C of every byte before it
 * </pre>
 * Writing is atomic and verified: the state goes to a temporary file in the same directory, is forced to disk,
 * read back and checked against its checksum, and only then renamed over the previous checkpoint, so a crash
 * or a bad write at any moment leaves the last good checkpoint in place. Reading checks magic, version, sizes
 * and checksum and fails with one clear line.
 */
public final class CheckpointFile {
    private static final byte[] MAGIC = "LLMOPTCK".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int CHUNK = 1 << 14; // floats per buffer

    private CheckpointFile() {
    }

    public static void write(Path file, TrainingState s) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            long crc;
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile())) {
                CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(fos, 1 << 16), new CRC32C());
                DataOutputStream out = new DataOutputStream(checked);
                writeBody(out, s);
                out.flush();
                crc = checked.getChecksum().getValue();
                out.writeLong(crc);
                out.flush();
                fos.getChannel().force(true);
            }
            verify(tmp, crc);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(dir);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new LlmoptException(file + ": cannot write checkpoint (the previous checkpoint, if any, is unchanged): "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    private static void writeBody(DataOutputStream out, TrainingState s) throws IOException {
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(s.modelConfig());
        out.writeInt(s.settings().size());
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(s.settings()).entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
        out.writeUTF(s.objective());
        out.writeLong(s.step());
        out.writeLong(s.epoch());
        out.writeLong(s.windowIndex());
        out.writeLong(s.tokensSeen());
        out.writeLong(s.optimizerUpdates());
        TrainHistory h = s.history();
        out.writeInt(h.steps());
        writeFloats(out, h.trainLoss());
        writeFloats(out, h.learningRate());
        writeFloats(out, h.gradNorm());
        out.writeInt(h.evals());
        for (int step : h.evalSteps()) {
            out.writeInt(step);
        }
        writeFloats(out, h.evalLoss());
        out.writeInt(s.params().length);
        writeFloats(out, s.params());
        writeFloats(out, s.firstMoments());
        writeFloats(out, s.secondMoments());
    }

    /** Re-reads the written file and compares its checksum: a short or damaged write never replaces a checkpoint. */
    private static void verify(Path tmp, long expected) throws IOException {
        long size = Files.size(tmp);
        CRC32C crc = new CRC32C();
        try (InputStream in = Files.newInputStream(tmp)) {
            byte[] buf = new byte[1 << 16];
            long left = size - 8;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("short file while verifying " + tmp);
                }
                crc.update(buf, 0, n);
                left -= n;
            }
        }
        if (crc.getValue() != expected) {
            throw new IOException("verification of " + tmp + " failed (checksum of the written bytes differs)");
        }
    }

    public static TrainingState read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new LlmoptException(file + ": no checkpoint to resume from");
        }
        try (InputStream raw = Files.newInputStream(file)) {
            long size = Files.size(file);
            CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw, 1 << 16), new CRC32C());
            DataInputStream in = new DataInputStream(checked);
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw corrupt(file, "not an llmopt training checkpoint (bad magic)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw corrupt(file, "checkpoint format version " + version + ", this llmopt reads version " + VERSION);
            }
            String config = in.readUTF();
            int n = count(in, 1000, file, "settings");
            Map<String, String> settings = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                settings.put(in.readUTF(), in.readUTF());
            }
            String objective = in.readUTF();
            long step = in.readLong();
            long epoch = in.readLong();
            long index = in.readLong();
            long tokens = in.readLong();
            long updates = in.readLong();
            int steps = count(in, size / 12, file, "history steps");
            float[] loss = readFloats(in, steps);
            float[] lr = readFloats(in, steps);
            float[] norm = readFloats(in, steps);
            int evals = count(in, size / 8, file, "evaluations");
            int[] evalSteps = new int[evals];
            for (int i = 0; i < evals; i++) {
                evalSteps[i] = in.readInt();
            }
            float[] evalLoss = readFloats(in, evals);
            int p = count(in, Integer.MAX_VALUE, file, "parameters");
            if (12L * p + 8 > size) {
                throw corrupt(file, "truncated (declares " + p + " parameters but holds only " + size + " bytes)");
            }
            float[] params = readFloats(in, p);
            float[] m = readFloats(in, p);
            float[] v = readFloats(in, p);
            long actual = checked.getChecksum().getValue();
            long stored = in.readLong();
            if (in.read() >= 0) {
                throw corrupt(file, "unexpected bytes after the checksum");
            }
            if (actual != stored) {
                throw corrupt(file, "checksum mismatch (the file was damaged or only partly written)");
            }
            TrainHistory h = new TrainHistory();
            for (int i = 0; i < steps; i++) {
                h.addStep(loss[i], lr[i], norm[i]);
            }
            for (int i = 0; i < evals; i++) {
                h.addEval(evalSteps[i], evalLoss[i]);
            }
            return new TrainingState(config, settings, objective, step, epoch, index, tokens, updates, h, params, m, v);
        } catch (EOFException e) {
            throw corrupt(file, "truncated (the file ends early)");
        } catch (java.io.UTFDataFormatException e) {
            throw corrupt(file, "damaged header text");
        } catch (IOException e) {
            throw new LlmoptException(file + ": cannot read checkpoint: " + e.getMessage(), e);
        }
    }

    private static int count(DataInputStream in, long max, Path file, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max) {
            throw corrupt(file, "impossible count of " + what + ": " + n);
        }
        return n;
    }

    private static LlmoptException corrupt(Path file, String why) {
        return new LlmoptException(file + ": corrupted checkpoint: " + why + "; the file was left as it is");
    }

    private static void writeFloats(DataOutputStream out, float[] x) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4 * Math.min(CHUNK, Math.max(1, x.length))).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < x.length; i += CHUNK) {
            int n = Math.min(CHUNK, x.length - i);
            buf.clear();
            buf.asFloatBuffer().put(x, i, n);
            out.write(buf.array(), 0, 4 * n);
        }
    }

    private static float[] readFloats(DataInputStream in, int n) throws IOException {
        float[] x = new float[n];
        byte[] bytes = new byte[4 * Math.min(CHUNK, Math.max(1, n))];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i += CHUNK) {
            int k = Math.min(CHUNK, n - i);
            in.readFully(bytes, 0, 4 * k);
            buf.clear();
            buf.asFloatBuffer().get(x, i, k);
        }
        return x;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every file system lets a directory be opened; the rename itself is still atomic
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a stale .tmp file is overwritten by the next checkpoint
        }
    }
}
