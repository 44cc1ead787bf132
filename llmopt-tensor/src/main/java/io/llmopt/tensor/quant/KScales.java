package io.llmopt.tensor.quant;

import java.lang.foreign.MemorySegment;

/**
 * The 12-byte scale/minimum packing shared by Q4_K and Q5_K: eight 6-bit scales and eight 6-bit minimums,
 * one pair per 32-value sub-block.
 * <pre>
 *   bytes 0..3:  sub-blocks 0..3: scale in bits 0..5; bits 6..7 = high bits of scale 4..7
 *   bytes 4..7:  sub-blocks 0..3: min   in bits 0..5; bits 6..7 = high bits of min   4..7
 *   bytes 8..11: sub-blocks 4..7: low nibble = scale bits 0..3, high nibble = min bits 0..3
 * </pre>
 */
final class KScales {
    private KScales() {
    }

    static int scale(MemorySegment src, long scales, int sub) {
        if (sub < 4) {
            return Blocks.u8(src, scales + sub) & 63;
        }
        return (Blocks.u8(src, scales + sub + 4) & 0x0F) | (Blocks.u8(src, scales + sub - 4) >>> 6) << 4;
    }

    static int min(MemorySegment src, long scales, int sub) {
        if (sub < 4) {
            return Blocks.u8(src, scales + sub + 4) & 63;
        }
        return (Blocks.u8(src, scales + sub + 4) >>> 4) | (Blocks.u8(src, scales + sub) >>> 6) << 4;
    }
}
