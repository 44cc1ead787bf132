package io.llmopt.eval;

import io.llmopt.tensor.LlmoptException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * What a base-logits file was made from. The file ({@code --save-logits}) is little-endian:
 *
 * <pre>
 * offset size
 *   0     8   magic "LLMOPTKL"
 *   8     4   version (1)
 *  12     4   vocabSize            model vocabulary the log-probs range over
 *  16     4   contextLength        -c of the run
 *  20     4   stride               0 = llama.cpp chunks, else the sliding-window step
 *  24     4   windows              chunks / windows scored
 *  28     4   topK                 log-probs kept per position (K)
 *  32     8   positions            scored positions (records below)
 *  40     8   tokenCount           tokens of the evaluated text stored below
 *  48    32   sha256 of the tokens (each as a little-endian int32)
 *  80     4   bos                  token written over each chunk's first token, −1 for none
 *  84     2   n, then n bytes      model name (UTF-8)
 *   …   4·tokenCount               the tokens (int32), so a variant is scored on exactly the same ids
 *   …   positions × (8 + 8·K)      per scored position, in scoring order:
 *                                     f32 log p(target), f32 log(tail mass = Σ p over tokens not in the top K;
 *                                     −∞ when K covers the vocabulary), K × (i32 token id, f32 log p), best first
 * </pre>
 *
 * Why top-K instead of llama.cpp's uint16 over [max − 16, max] for the whole vocabulary: 8·K + 8 bytes per
 * position (520 B at the default K = 64, so 0.5 GB for a million tokens) instead of 2·vocab (64 KB for a
 * 32 K vocabulary, 256 KB for 128 K), exact float32 log-probs where the mass is, an exact target log-prob
 * (llama.cpp's 16-nat floor caps the NLL of unlikely targets and biases its base PPL, README §(d)), and the
 * tail kept as one bucket so the KL divergence is that of the distributions coarsened to {top K of base,
 * rest}: a lower bound of the full KL (data-processing inequality) that equals it when K covers the
 * vocabulary. Measured on ref-tinystories (vocab 512), Q4_0 / Q2_K vs f32: the mean KLD is 3.6 % / 3.0 %
 * low at K = 32, 0.9 % / 0.8 % at K = 64, 0.14 % / 0.11 % at K = 128 (mean base tail mass 1.8 %, 0.42 %,
 * 0.08 %). Results report the mean tail mass so the bound is visible; choose K with --kl-top-k.
 */
public record LogitsFileHeader(int vocabSize, int contextLength, int stride, int windows, int topK, long positions,
        int[] tokens, int bos, String modelName) {

    static final byte[] MAGIC = "LLMOPTKL".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int FIXED_BYTES = 86;

    public LogitsFileHeader {
        if (topK < 1 || topK > vocabSize) {
            throw new LlmoptException("top-K must be in 1.." + vocabSize + ", got " + topK);
        }
    }

    /** Bytes of one scored position's record. */
    public int recordBytes() {
        return 8 + 8 * topK;
    }

    public long tokenCount() {
        return tokens.length;
    }

    /** Hex sha256 of the tokens (little-endian int32 each): identifies the evaluated text. */
    public String tokenHash() {
        return HexFormat.of().formatHex(tokenDigest(tokens));
    }

    /** Bytes of the header including the stored tokens (records start there). */
    long headerBytes() {
        return FIXED_BYTES + modelName.getBytes(StandardCharsets.UTF_8).length + 4L * tokens.length;
    }

    /** Expected file size. */
    public long fileBytes() {
        return headerBytes() + positions * recordBytes();
    }

    static byte[] tokenDigest(int[] tokens) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
            for (int t : tokens) {
                if (!b.hasRemaining()) {
                    sha.update(b.array(), 0, b.position());
                    b.clear();
                }
                b.putInt(t);
            }
            sha.update(b.array(), 0, b.position());
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    ByteBuffer encode() {
        byte[] name = modelName.getBytes(StandardCharsets.UTF_8);
        if (name.length > 0xFFFF) {
            throw new LlmoptException("model name too long for a logits file header (" + name.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(headerBytes())).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(vocabSize).putInt(contextLength).putInt(stride).putInt(windows).putInt(topK)
                .putLong(positions).putLong(tokens.length).put(tokenDigest(tokens)).putInt(bos)
                .putShort((short) name.length).put(name);
        for (int t : tokens) {
            b.putInt(t);
        }
        return b.flip();
    }

    /** Checks that the stored digest matches the stored tokens (a corrupted file is refused). */
    static void verifyDigest(String file, byte[] stored, int[] tokens) {
        if (!Arrays.equals(stored, tokenDigest(tokens))) {
            throw new LlmoptException(file + ": token hash does not match the stored tokens (corrupted logits file)");
        }
    }
}
