package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * ggml's reference quantizers ({@code quantize_row_*_ref}, b4747) for the 32-value block types Q4_1, Q5_0,
 * Q5_1 and Q8_1; Q4_0 and Q8_0 live in their codecs. Block layouts are described in the codecs. Conversions
 * keep ggml's C semantics: {@code (int8_t)}/{@code (uint8_t)} of a float truncates toward zero and wraps, and
 * {@code roundf} rounds halfway cases away from zero.
 */
final class LegacyQuantizers {
    private static final int QK = 32;

    private LegacyQuantizers() {
    }

    /** Q4_1: d = (max − min)/15, m = min, q = min(15, (int8) ((x − min)/d + 0.5)). */
    static void q4_1(float[] x, int off, int n, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(GgmlType.Q4_1, n);
        int bytes = GgmlType.Q4_1.blockBytes();
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            long block = byteOffset + (long) b * bytes;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = x[in + j];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float d = (max - min) / ((1 << 4) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            Blocks.putF16(dst, block, d);
            Blocks.putF16(dst, block + 2, min);
            for (int j = 0; j < QK / 2; j++) {
                int lo = Math.min(15, int8((x[in + j] - min) * id + 0.5f));
                int hi = Math.min(15, int8((x[in + j + QK / 2] - min) * id + 0.5f));
                dst.set(Layouts.BYTE, block + 4 + j, (byte) (lo | hi << 4));
            }
        }
    }

    /** Q5_0: d = max/−16 (max = the value of largest magnitude), q = min(31, (int8) (x/d + 16.5)). */
    static void q5_0(float[] x, int off, int n, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(GgmlType.Q5_0, n);
        int bytes = GgmlType.Q5_0.blockBytes();
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            long block = byteOffset + (long) b * bytes;
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < QK; j++) {
                float v = x[in + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Blocks.putF16(dst, block, d);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                int lo = Math.min(31, int8(x[in + j] * id + 16.5f)) & 0xFF;
                int hi = Math.min(31, int8(x[in + j + QK / 2] * id + 16.5f)) & 0xFF;
                dst.set(Layouts.BYTE, block + 6 + j, (byte) ((lo & 0x0F) | (hi & 0x0F) << 4));
                qh |= ((lo & 0x10) >>> 4) << j;
                qh |= ((hi & 0x10) >>> 4) << (j + QK / 2);
            }
            dst.set(Layouts.INT, block + 2, qh);
        }
    }

    /** Q5_1: d = (max − min)/31, m = min, q = (uint8) ((x − min)/d + 0.5) (no clamp, as in ggml). */
    static void q5_1(float[] x, int off, int n, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(GgmlType.Q5_1, n);
        int bytes = GgmlType.Q5_1.blockBytes();
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            long block = byteOffset + (long) b * bytes;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = x[in + j];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float d = (max - min) / ((1 << 5) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            Blocks.putF16(dst, block, d);
            Blocks.putF16(dst, block + 2, min);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                int lo = uint8((x[in + j] - min) * id + 0.5f);
                int hi = uint8((x[in + j + QK / 2] - min) * id + 0.5f);
                dst.set(Layouts.BYTE, block + 8 + j, (byte) ((lo & 0x0F) | (hi & 0x0F) << 4));
                qh |= ((lo & 0x10) >>> 4) << j;
                qh |= ((hi & 0x10) >>> 4) << (j + QK / 2);
            }
            dst.set(Layouts.INT, block + 4, qh);
        }
    }

    /** Q8_1: as Q8_0 (d = max|x|/127, q = roundf(x/d)) plus s = fp16(Σq · d). */
    static void q8_1(float[] x, int off, int n, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(GgmlType.Q8_1, n);
        int bytes = GgmlType.Q8_1.blockBytes();
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            long block = byteOffset + (long) b * bytes;
            float amax = 0.0f;
            for (int j = 0; j < QK; j++) {
                amax = Math.max(amax, Math.abs(x[in + j]));
            }
            float d = amax / ((1 << 7) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            Blocks.putF16(dst, block, d);
            int sum = 0;
            for (int j = 0; j < QK; j++) {
                byte q = (byte) Blocks.roundHalfAwayFromZero(x[in + j] * id);
                dst.set(Layouts.BYTE, block + 4 + j, q);
                sum += q;
            }
            Blocks.putF16(dst, block + 2, sum * d);
        }
    }

    /** C's {@code (int8_t) f}: truncate toward zero, keep the low 8 bits (signed). */
    static int int8(float f) {
        return (byte) (int) f;
    }

    /** C's {@code (uint8_t) f} on x86: truncate toward zero, keep the low 8 bits (unsigned). */
    static int uint8(float f) {
        return (int) f & 0xFF;
    }
}
