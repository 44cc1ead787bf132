package io.llmopt.eval;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/** Reads a base-logits file ({@link LogitsFileHeader}) position by position. Not thread-safe. */
public final class LogitsFileReader implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final LogitsFileHeader header;
    private final ByteBuffer buffer;
    private long read;

    /** One position's saved values (arrays reused between {@link #next} calls). */
    public static final class Position {
        public float targetLogprob;
        /** log of the base probability mass outside the top K; −∞ when K covers the vocabulary. */
        public float tailLogMass;
        public final int[] ids;
        public final float[] logprobs;

        Position(int k) {
            ids = new int[k];
            logprobs = new float[k];
        }
    }

    private LogitsFileReader(Path path, FileChannel channel, LogitsFileHeader header) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        this.buffer = ByteBuffer.allocate(Math.max(1 << 20, header.recordBytes())).order(ByteOrder.LITTLE_ENDIAN).flip();
    }

    public static LogitsFileReader open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new LlmoptException(path + ": cannot open logits file: " + e.getMessage(), e);
        }
        try {
            LogitsFileHeader h = readHeader(path, ch);
            long size = ch.size();
            if (size != h.fileBytes()) {
                throw new LlmoptException(path + ": " + size + " bytes but the header describes " + h.fileBytes()
                        + " (truncated or damaged logits file)");
            }
            ch.position(h.headerBytes());
            return new LogitsFileReader(path, ch, h);
        } catch (IOException e) {
            close(ch);
            throw new LlmoptException(path + ": cannot read logits file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(ch);
            throw e;
        }
    }

    private static LogitsFileHeader readHeader(Path path, FileChannel ch) throws IOException {
        ByteBuffer fixed = readFully(path, ch, 0, LogitsFileHeader.FIXED_BYTES);
        byte[] magic = new byte[8];
        fixed.get(magic);
        if (!Arrays.equals(magic, LogitsFileHeader.MAGIC)) {
            throw new LlmoptException(path + ": not an llmopt logits file (expected magic LLMOPTKL at offset 0; "
                    + "files written by llama-perplexity --kl-divergence-base are a different format)");
        }
        int version = fixed.getInt();
        if (version != LogitsFileHeader.VERSION) {
            throw new LlmoptException(path + ": logits file version " + version + ", this llmopt reads version " + LogitsFileHeader.VERSION);
        }
        int vocab = fixed.getInt();
        int ctx = fixed.getInt();
        int stride = fixed.getInt();
        int windows = fixed.getInt();
        int topK = fixed.getInt();
        long positions = fixed.getLong();
        long tokenCount = fixed.getLong();
        byte[] digest = new byte[32];
        fixed.get(digest);
        int bos = fixed.getInt();
        int nameLength = Short.toUnsignedInt(fixed.getShort());
        if (vocab <= 0 || ctx <= 0 || topK <= 0 || topK > vocab || positions < 0 || tokenCount < 0 || tokenCount > Integer.MAX_VALUE) {
            throw new LlmoptException(path + ": implausible logits file header (vocab " + vocab + ", ctx " + ctx + ", top-K " + topK
                    + ", positions " + positions + ", tokens " + tokenCount + ")");
        }
        String name = new String(readFully(path, ch, LogitsFileHeader.FIXED_BYTES, nameLength).array(), StandardCharsets.UTF_8);
        ByteBuffer tb = readFully(path, ch, LogitsFileHeader.FIXED_BYTES + nameLength, Math.multiplyExact(4, (int) tokenCount));
        int[] tokens = new int[(int) tokenCount];
        tb.asIntBuffer().get(tokens);
        LogitsFileHeader.verifyDigest(path.toString(), digest, tokens);
        return new LogitsFileHeader(vocab, ctx, stride, windows, topK, positions, tokens, bos, name);
    }

    private static ByteBuffer readFully(Path path, FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new LlmoptException(path + ": ends at byte " + (at + b.position()) + " inside the header (truncated logits file)");
            }
        }
        return b.flip();
    }

    public LogitsFileHeader header() {
        return header;
    }

    public Path path() {
        return path;
    }

    public Position newPosition() {
        return new Position(header.topK());
    }

    /** Reads the next position into {@code into}. */
    public void next(Position into) {
        if (read == header.positions()) {
            throw new LlmoptException(path + ": holds " + header.positions() + " positions, more were asked for");
        }
        if (buffer.remaining() < header.recordBytes()) {
            buffer.compact();
            try {
                while (buffer.position() < header.recordBytes()) {
                    if (channel.read(buffer) < 0) {
                        throw new LlmoptException(path + ": ends inside position " + read + " (truncated logits file)");
                    }
                }
            } catch (IOException e) {
                throw new LlmoptException(path + ": cannot read: " + e.getMessage(), e);
            }
            buffer.flip();
        }
        into.targetLogprob = buffer.getFloat();
        into.tailLogMass = buffer.getFloat();
        for (int i = 0; i < header.topK(); i++) {
            into.ids[i] = buffer.getInt();
            into.logprobs[i] = buffer.getFloat();
        }
        read++;
    }

    @Override
    public void close() {
        close(channel);
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            throw new LlmoptException("closing logits file: " + e.getMessage(), e);
        }
    }
}
