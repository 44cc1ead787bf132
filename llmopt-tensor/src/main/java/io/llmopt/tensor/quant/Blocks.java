package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.LlmoptException;
import java.lang.foreign.MemorySegment;

/** Field readers and argument checks shared by the block codecs (all little-endian, unaligned). */
final class Blocks {
    private Blocks() {
    }

    /** Number of whole blocks in {@code n} values; fails if {@code n} is not a multiple of the block size. */
    static int count(GgmlType type, int n) {
        if (n < 0 || n % type.blockSize() != 0) {
            throw new LlmoptException(type + ": " + n + " values is not a multiple of the block size " + type.blockSize());
        }
        return n / type.blockSize();
    }

    /** Unsigned byte at {@code offset}. */
    static int u8(MemorySegment s, long offset) {
        return s.get(Layouts.BYTE, offset) & 0xFF;
    }

    /** Signed byte at {@code offset}. */
    static int i8(MemorySegment s, long offset) {
        return s.get(Layouts.BYTE, offset);
    }

    /** IEEE binary16 at {@code offset}, widened exactly to float. */
    static float f16(MemorySegment s, long offset) {
        return Float.float16ToFloat(s.get(Layouts.SHORT, offset));
    }

    static void putF16(MemorySegment s, long offset, float value) {
        s.set(Layouts.SHORT, offset, Float.floatToFloat16(value)); // round to nearest even, like ggml
    }

    /** C's {@code roundf}: halfway cases away from zero (Math.round would send -2.5 to -2). */
    static int roundHalfAwayFromZero(float x) {
        double a = Math.floor(Math.abs((double) x) + 0.5); // exact in double for any float below 2^52
        return (int) (x < 0 ? -a : a);
    }
}
