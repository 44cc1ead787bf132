package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * LLM.int8 weights (bitsandbytes' Linear8bitLt: int8 codes with one absmax per output row, "SCB") in llmopt's
 * in-memory layout: blocks of 32 values, 36 bytes = float32 absmax of the whole row (the same in every block of
 * the row, so a block decodes on its own), then 32 int8 codes; value = q·absmax·(1/127).
 *
 * <p>Quantization as bitsandbytes' {@code int8_vectorwise_quant}: absmax = max|x| over the values given (pass
 * whole rows), q = round-half-even(x·(127/absmax)).
 *
 * <p>{@link #dot} is LLM.int8's mixed-precision product for one row: activation columns with |x| ≥
 * {@link #OUTLIER_THRESHOLD} are multiplied in float with the dequantized weights; the others are quantized to
 * int8 (absmax over those columns) and multiplied in integers. llmopt's matmul kernels decode weights to float
 * instead (activations stay float: every column treated as an outlier, never less precise); this method is the
 * reference for a kernel that wants the int8 path.
 */
final class Int8RowCodec implements BlockCodec {
    /** bitsandbytes' default {@code llm_int8_threshold}. */
    static final float OUTLIER_THRESHOLD = 6.0f;
    /** 1/127 as bitsandbytes writes it (int8_vectorwise_dequant). */
    private static final float INV_127 = 7.874015718698502e-3f;
    /** 1/127² as bitsandbytes writes it (int8_mm_dequant). */
    private static final float INV_127_SQUARED = 6.200124e-05f;
    private static final int QK = 32;
    private static final int BYTES = GgmlType.INT8.blockBytes();

    @Override
    public GgmlType type() {
        return GgmlType.INT8;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            float absmax = src.get(Layouts.FLOAT, block);
            int out = dstOffset + b * QK;
            for (int j = 0; j < QK; j++) {
                dst[out + j] = Blocks.i8(src, block + 4 + j) * absmax * INV_127;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(type(), n);
        float absmax = 0;
        for (int i = 0; i < n; i++) {
            absmax = Math.max(absmax, Math.abs(src[srcOffset + i]));
        }
        float scale = 127.0f / absmax;
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            dst.set(Layouts.FLOAT, block, absmax);
            for (int j = 0; j < QK; j++) {
                int q = absmax == 0 ? 0 : (int) Math.rint(src[srcOffset + b * QK + j] * scale);
                dst.set(Layouts.BYTE, block + 4 + j, (byte) q);
            }
        }
    }

    /** LLM.int8's decomposed product of one weight row with x (see the class comment). */
    @Override
    public float dot(MemorySegment src, long byteOffset, float[] x, int xOffset, int n) {
        int blocks = Blocks.count(type(), n);
        float xAbsmax = 0;
        for (int i = 0; i < n; i++) {
            float a = Math.abs(x[xOffset + i]);
            if (a < OUTLIER_THRESHOLD) {
                xAbsmax = Math.max(xAbsmax, a);
            }
        }
        float xScale = xAbsmax == 0 ? 0 : 127.0f / xAbsmax;
        long acc = 0;
        float outliers = 0;
        float rowAbsmax = n == 0 ? 0 : src.get(Layouts.FLOAT, byteOffset);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            for (int j = 0; j < QK; j++) {
                int q = Blocks.i8(src, block + 4 + j);
                float xi = x[xOffset + b * QK + j];
                if (Math.abs(xi) >= OUTLIER_THRESHOLD) {
                    outliers += xi * (q * rowAbsmax * INV_127);
                } else {
                    acc += (long) q * (int) Math.rint(xi * xScale);
                }
            }
        }
        return acc * (rowAbsmax * xAbsmax) * INV_127_SQUARED + outliers;
    }
}
