package io.llmopt.compress.quantize;

import io.llmopt.formats.gguf.GgufWriter;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.kernel.RangeTask;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.tensor.quant.BlockCodec;
import io.llmopt.tensor.quant.Codecs;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.function.LongConsumer;

/**
 * Encodes one tensor to a target type on the worker pool, row by row (a row is always encoded whole, with its
 * importance row, exactly as llama.cpp's per-row quantizers), and streams the result in pieces of at most
 * {@link #CHUNK_BYTES} so memory stays bounded whatever the tensor's size. Each encoded row is decoded again
 * to measure the error: relative RMS = √(Σ(x − x̂)² / Σx²) over the tensor.
 *
 * <p>One encoder per run; its per-worker row buffers grow to the widest tensor. Not thread-safe (one tensor at
 * a time; the parallelism is inside).
 */
final class TensorEncoder {
    static final int CHUNK_BYTES = 16 << 20;

    /** Squared error and squared signal of the rows encoded so far. */
    record Error(double squaredError, double squaredSignal) {
        double relativeRms() {
            return squaredSignal == 0 ? (squaredError == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(squaredError / squaredSignal);
        }
    }

    private final WorkerPool pool;
    private float[][] rows;
    private float[][] decoded;
    private final double[] errorSums;
    private final double[] signalSums;
    private byte[] chunk = new byte[0];

    TensorEncoder(WorkerPool pool) {
        this.pool = pool;
        int n = pool.threads();
        this.rows = new float[n][0];
        this.decoded = new float[n][0];
        this.errorSums = new double[n];
        this.signalSums = new double[n];
    }

    /**
     * Encodes every row of {@code source} to {@code type} into {@code sink}; {@code progress} receives the
     * number of values encoded after each piece.
     */
    Error encode(SourceModel.SourceTensor source, GgmlType type, float[] importance, GgufWriter.Sink sink,
            LongConsumer progress) throws IOException {
        int cols = Math.toIntExact(source.cols());
        long rowCount = source.rowCount();
        long rowBytes = type.byteSize(cols);
        int rowsPerChunk = (int) Math.max(1, Math.min(rowCount, CHUNK_BYTES / Math.max(1, rowBytes)));
        long chunkBytes = rowsPerChunk * rowBytes;
        if (chunk.length < chunkBytes) {
            chunk = new byte[Math.toIntExact(chunkBytes)];
        }
        for (int w = 0; w < rows.length; w++) {
            if (rows[w].length < cols) {
                rows[w] = new float[cols];
                decoded[w] = new float[cols];
            }
            errorSums[w] = 0;
            signalSums[w] = 0;
        }
        BlockCodec codec = Codecs.of(type);
        MemorySegment out = MemorySegment.ofArray(chunk);
        for (long first = 0; first < rowCount; first += rowsPerChunk) {
            long start = first;
            int n = (int) Math.min(rowsPerChunk, rowCount - first);
            RangeTask task = (worker, from, to) -> {
                float[] x = rows[worker];
                float[] back = decoded[worker];
                double err = 0;
                double sig = 0;
                for (int r = from; r < to; r++) {
                    source.rows().row(start + r, x);
                    long at = r * rowBytes;
                    codec.quantizeRow(x, 0, cols, importance, out, at);
                    codec.dequantize(out, at, back, 0, cols);
                    for (int c = 0; c < cols; c++) {
                        double d = (double) x[c] - back[c];
                        err += d * d;
                        sig += (double) x[c] * x[c];
                    }
                }
                errorSums[worker] += err;
                signalSums[worker] += sig;
            };
            pool.run(n, grain(cols), task);
            sink.write(out.asSlice(0, n * rowBytes));
            progress.accept((long) n * cols);
        }
        double err = 0;
        double sig = 0;
        for (int w = 0; w < rows.length; w++) {
            err += errorSums[w];
            sig += signalSums[w];
        }
        return new Error(err, sig);
    }

    /** Rows per work item: enough values (~64 K) that handing a chunk to a thread is worth it. */
    private static int grain(int cols) {
        return Math.max(1, (1 << 16) / Math.max(1, cols));
    }
}
