package io.llmopt.formats.bnb;

/**
 * bitsandbytes' blockwise 8-bit quantization with a code table ({@code quantize_blockwise} /
 * {@code dequantize_blockwise}, the reference backend): per block of {@code blocksize} values, absmax = max|a|,
 * code = the index of the table value nearest to clamp(a·(1/absmax), −1, 1) (the lowest on ties);
 * a = table[code]·absmax. The last block may be shorter. Used to double-quantize 4-bit absmax values.
 */
public final class Blockwise8bit {
    private Blockwise8bit() {
    }

    /** Codes of {@code values}, and the absmax of each block into {@code absmax} (length ⌈n/blocksize⌉). */
    public static byte[] quantize(float[] values, int blocksize, float[] table, float[] absmax) {
        byte[] codes = new byte[values.length];
        for (int b = 0, start = 0; start < values.length; b++, start += blocksize) {
            int end = Math.min(values.length, start + blocksize);
            float max = 0;
            for (int i = start; i < end; i++) {
                max = Math.max(max, Math.abs(values[i]));
            }
            absmax[b] = max;
            float inv = 1 / max;
            for (int i = start; i < end; i++) {
                float s = max == 0 ? 0 : Math.max(-1f, Math.min(1f, values[i] * inv));
                codes[i] = (byte) nearest(table, s);
            }
        }
        return codes;
    }

    /** table[code]·absmax[i / blocksize] + offset, for every code. */
    public static float[] dequantize(byte[] codes, float[] absmax, int blocksize, float[] table, float offset) {
        float[] out = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = table[codes[i] & 0xFF] * absmax[i / blocksize] + offset;
        }
        return out;
    }

    static int nearest(float[] table, float s) {
        int best = 0;
        float bestDistance = Math.abs(s - table[0]);
        for (int k = 1; k < table.length; k++) {
            float d = Math.abs(s - table[k]);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }
}
