package io.llmopt.eval;

import io.llmopt.model.sampling.TopLogprobs;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Saves the base model's log-probs of every scored position ({@link LogitsFileHeader} describes the format).
 * Writes to {@code FILE.tmp} beside the target and renames it on {@link #finish()}, so an interrupted run
 * never leaves a file that looks complete. Not thread-safe (one scoring thread).
 */
public final class LogitsFileWriter implements ScoredPositionListener, AutoCloseable {
    private final Path target;
    private final Path temp;
    private final LogitsFileHeader header;
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final TopLogprobs top;
    private final float[] row;
    private final int[] stamp;
    private int stampValue;
    private long written;
    private boolean finished;

    public LogitsFileWriter(Path target, LogitsFileHeader header) {
        this.target = target;
        this.temp = target.resolveSibling(target.getFileName() + ".tmp");
        this.header = header;
        this.top = new TopLogprobs(header.topK());
        this.row = new float[header.vocabSize()];
        this.stamp = new int[header.vocabSize()];
        this.buffer = ByteBuffer.allocate(Math.max(1 << 20, header.recordBytes())).order(ByteOrder.LITTLE_ENDIAN);
        try {
            channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            ByteBuffer h = header.encode();
            while (h.hasRemaining()) {
                channel.write(h);
            }
        } catch (IOException e) {
            throw new LlmoptException(temp + ": cannot write: " + e.getMessage(), e);
        }
    }

    public LogitsFileHeader header() {
        return header;
    }

    @Override
    public void accept(float[] logits, int offset, int vocab, int targetToken, double logSumExp) {
        if (vocab != header.vocabSize()) {
            throw new IllegalStateException("row of " + vocab + " logits, header says " + header.vocabSize());
        }
        if (written == header.positions()) {
            throw new IllegalStateException("more scored positions than the " + header.positions() + " planned");
        }
        System.arraycopy(logits, offset, row, 0, vocab);
        int k = header.topK();
        top.compute(row, vocab, k);
        if (++stampValue == 0) {
            java.util.Arrays.fill(stamp, 0);
            stampValue = 1;
        }
        for (int i = 0; i < k; i++) {
            stamp[top.token(i)] = stampValue;
        }
        double tail = 0;
        for (int v = 0; v < vocab; v++) {
            if (stamp[v] != stampValue) {
                tail += Math.exp(row[v] - logSumExp);
            }
        }
        if (buffer.remaining() < header.recordBytes()) {
            flush();
        }
        buffer.putFloat((float) (row[targetToken] - logSumExp));
        buffer.putFloat((float) Math.log(tail));
        for (int i = 0; i < k; i++) {
            buffer.putInt(top.token(i));
            buffer.putFloat((float) (row[top.token(i)] - logSumExp));
        }
        written++;
    }

    private void flush() {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new LlmoptException(temp + ": cannot write: " + e.getMessage(), e);
        }
        buffer.clear();
    }

    /** Completes the file: checks every planned position was written, then renames the temporary file. */
    public void finish() {
        if (written != header.positions()) {
            throw new IllegalStateException("wrote " + written + " of " + header.positions() + " planned positions");
        }
        flush();
        try {
            channel.force(false);
            channel.close();
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LlmoptException(target + ": cannot write: " + e.getMessage(), e);
        }
        finished = true;
    }

    /** Without {@link #finish()}: discards the temporary file. */
    @Override
    public void close() {
        if (finished) {
            return;
        }
        try {
            channel.close();
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            throw new LlmoptException(temp + ": cannot remove: " + e.getMessage(), e);
        }
    }
}
