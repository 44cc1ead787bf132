package io.llmopt.tensor.quant;

/**
 * Little-endian field access on a block being assembled in a {@code byte[]} (the k-quant quantizers build a
 * block in memory, re-read its fp16 scales the way ggml does, then copy it out in one piece).
 */
final class BlockBytes {
    private BlockBytes() {
    }

    /** Stores {@code value} as IEEE binary16, rounded to nearest even like ggml's GGML_FP32_TO_FP16. */
    static void putF16(byte[] block, int offset, float value) {
        short h = Float.floatToFloat16(value);
        block[offset] = (byte) h;
        block[offset + 1] = (byte) (h >>> 8);
    }

    /** The binary16 at {@code offset}, widened exactly to float. */
    static float f16(byte[] block, int offset) {
        return Float.float16ToFloat((short) ((block[offset] & 0xFF) | block[offset + 1] << 8));
    }

    static void putFloat(byte[] block, int offset, float value) {
        putInt(block, offset, Float.floatToRawIntBits(value));
    }

    static void putShort(byte[] block, int offset, int value) {
        block[offset] = (byte) value;
        block[offset + 1] = (byte) (value >>> 8);
    }

    static void putInt(byte[] block, int offset, int value) {
        for (int i = 0; i < 4; i++) {
            block[offset + i] = (byte) (value >>> (8 * i));
        }
    }
}
