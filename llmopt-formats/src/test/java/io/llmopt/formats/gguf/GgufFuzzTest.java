package io.llmopt.formats.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.quant.Codecs;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random corruptions of real and synthetic GGUF files: opening and reading everything must either
 * succeed or fail with an {@link LlmoptException} — never another exception, an error or a hang.
 */
class GgufFuzzTest {
    private static final long SEED = 20261122L;
    private static final long[] HUGE = {-1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, Integer.MAX_VALUE, 0xFFFF_FFFFL,
        1L << 40, 0, 1};

    @TempDir
    Path dir;

    record Outcome(int opened, int rejected) {
    }

    /** Applies 1–2 random corruptions, concentrated on the header where the structure lives. */
    static byte[] mutate(byte[] original, int headerEnd, Random random, StringBuilder log) {
        byte[] b = original.clone();
        int mutations = 1 + random.nextInt(2);
        for (int m = 0; m < mutations; m++) {
            int region = Math.max(1, Math.min(headerEnd, b.length));
            switch (random.nextInt(4)) {
                case 0 -> { // truncate
                    int at = random.nextBoolean() ? random.nextInt(region) : random.nextInt(Math.max(1, b.length));
                    log.append(" truncate@").append(at);
                    b = Arrays.copyOf(b, at);
                }
                case 1 -> { // flip bytes
                    int n = 1 + random.nextInt(8);
                    for (int i = 0; i < n && b.length > 0; i++) {
                        int at = random.nextInt(Math.min(region, b.length));
                        b[at] ^= (byte) (1 + random.nextInt(255));
                        log.append(" flip@").append(at);
                    }
                }
                case 2 -> { // a huge or edge value over a u64 or u32 field
                    long v = HUGE[random.nextInt(HUGE.length)];
                    boolean wide = random.nextBoolean();
                    int width = wide ? 8 : 4;
                    if (b.length >= width) {
                        int at = random.nextInt(Math.min(region, b.length - width + 1));
                        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                        if (wide) {
                            bb.putLong(at, v);
                        } else {
                            bb.putInt(at, (int) v);
                        }
                        log.append(" set").append(width * 8).append('@').append(at).append('=').append(v);
                    }
                }
                default -> { // random bytes over a random stretch of the header
                    if (b.length > 0) {
                        int at = random.nextInt(Math.min(region, b.length));
                        int len = Math.min(b.length - at, 1 + random.nextInt(32));
                        byte[] noise = new byte[len];
                        random.nextBytes(noise);
                        System.arraycopy(noise, 0, b, at, len);
                        log.append(" noise@").append(at).append('+').append(len);
                    }
                }
            }
        }
        return b;
    }

    /** Opens {@code bytes} and touches everything a user could: metadata and every decodable tensor. */
    static void readEverything(GgufFile f) {
        for (var e : f.metadata().asMap().entrySet()) {
            e.getValue().toString();
            e.getValue().length();
        }
        for (Tensor t : f.tensors()) {
            if (Codecs.supports(t.type()) && t.elementCount() < 50_000_000) {
                t.toFloatArray();
            }
        }
    }

    static Outcome fuzz(byte[] original, int headerEnd, int iterations, long seed) {
        Random random = new Random(seed);
        int opened = 0;
        int rejected = 0;
        for (int i = 0; i < iterations; i++) {
            StringBuilder log = new StringBuilder();
            byte[] corrupt = mutate(original, headerEnd, random, log);
            try (GgufFile f = GgufFile.fromBytes(Path.of("fuzz.gguf"), MemorySegment.ofArray(corrupt))) {
                readEverything(f);
                opened++;
            } catch (LlmoptException e) {
                if (e.getMessage() == null || e.getMessage().contains("\n")) {
                    throw new AssertionError("iteration " + i + log + ": message is not one line: " + e.getMessage());
                }
                rejected++;
            } catch (Throwable t) {
                throw new AssertionError("iteration " + i + " (seed " + seed + ")" + log + ": " + t, t);
            }
        }
        return new Outcome(opened, rejected);
    }

    /** A small file with every metadata value type, nested arrays and tensors of many types. */
    private byte[] syntheticFile() throws IOException {
        Random random = new Random(3);
        Path file = dir.resolve("synthetic.gguf");
        GgufWriter w = new GgufWriter(file);
        GgufWriterTest.everyValueType().forEach(w::put);
        w.addTensor("f32", GgmlType.F32, new long[] {2, 32}, GgufWriterTest.gaussian(random, 64));
        w.addTensor("f16", GgmlType.F16, new long[] {32}, GgufWriterTest.gaussian(random, 32));
        w.addTensor("q8", GgmlType.Q8_0, new long[] {2, 64}, GgufWriterTest.gaussian(random, 128));
        w.addTensor("q4", GgmlType.Q4_0, new long[] {1, 1, 64}, GgufWriterTest.gaussian(random, 64));
        for (GgmlType t : new GgmlType[] {GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
            GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.IQ4_NL}) {
            byte[] raw = new byte[(int) t.byteSize(t.blockSize() * 2L)];
            random.nextBytes(raw);
            w.addTensor(new Tensor(t.name().toLowerCase(), t, new long[] {2, t.blockSize()}, MemorySegment.ofArray(raw)));
        }
        w.write();
        return Files.readAllBytes(file);
    }

    @Test
    void corruptedSyntheticFilesFailCleanly() throws IOException {
        byte[] original = syntheticFile();
        int headerEnd;
        try (GgufFile f = GgufFile.fromBytes(Path.of("synthetic.gguf"), MemorySegment.ofArray(original))) {
            headerEnd = (int) f.dataOffset();
        }
        long start = System.nanoTime();
        Outcome o = fuzz(original, headerEnd, 5000, SEED);
        System.out.printf("fuzz synthetic (%d bytes, header %d): %d opened, %d rejected with LlmoptException, %.1f s%n",
                original.length, headerEnd, o.opened(), o.rejected(), (System.nanoTime() - start) / 1e9);
        assertThat(o.rejected()).isGreaterThan(2500);
    }

    @Test
    void corruptedRealFilesFailCleanly() throws IOException {
        Path path = SharedData.require("models/stories260K/stories260K-Q4_0.gguf");
        byte[] original = Files.readAllBytes(path);
        int headerEnd;
        try (GgufFile f = GgufFile.open(path)) {
            headerEnd = (int) f.dataOffset();
        }
        long start = System.nanoTime();
        Outcome o = fuzz(original, headerEnd, 3000, SEED + 1);
        System.out.printf("fuzz stories260K-Q4_0 (%d bytes, header %d): %d opened, %d rejected with LlmoptException, %.1f s%n",
                original.length, headerEnd, o.opened(), o.rejected(), (System.nanoTime() - start) / 1e9);
        assertThat(o.rejected()).isGreaterThan(1500);
    }

    /** The same through real files and the memory mapping. */
    @Test
    void corruptedFilesOnDiskFailCleanly() throws IOException {
        byte[] original = syntheticFile();
        Random random = new Random(SEED + 2);
        Path file = dir.resolve("corrupt.gguf");
        for (int i = 0; i < 150; i++) {
            StringBuilder log = new StringBuilder();
            Files.write(file, mutate(original, 2048, random, log));
            try (GgufFile f = GgufFile.open(file)) {
                readEverything(f);
            } catch (LlmoptException e) {
                assertThat(e.getMessage()).startsWith(file.toString()).doesNotContain("\n");
            } catch (Throwable t) {
                throw new AssertionError("iteration " + i + log + ": " + t, t);
            }
        }
    }
}
