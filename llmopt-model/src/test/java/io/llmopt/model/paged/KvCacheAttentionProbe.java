package io.llmopt.model.paged;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.Q8Rows;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Time of the paged attention alone, f32 vs f16 vs q8_0 cache (opt-in, not a unit test:
 * {@code -Dllmopt.attention.bench=/path/model.gguf}, optionally {@code -Dllmopt.attention.bench.seqs=16},
 * {@code -Dllmopt.attention.bench.threads=1}): one decode token for each of {@code seqs} sequences at the last
 * position of the context, every layer, random cached keys/values. Nothing is asserted.
 */
class KvCacheAttentionProbe {

    @Test
    void attentionStepTime() {
        String path = System.getProperty("llmopt.attention.bench", "");
        if (path.isBlank()) {
            System.out.println("skipped: KvCacheAttentionProbe needs -Dllmopt.attention.bench=MODEL.gguf");
            Assumptions.abort("opt-in benchmark");
        }
        int seqs = Integer.getInteger("llmopt.attention.bench.seqs", 16);
        int threads = Integer.getInteger("llmopt.attention.bench.threads", 1);
        try (LoadedModel m = ModelLoader.load(Path.of(path))) {
            LlamaConfig c = m.config();
            int ctx = c.contextLength();
            int blockSize = 16;
            int perSeq = (ctx + blockSize - 1) / blockSize;
            WorkerPool pool = new WorkerPool(threads);
            try {
                for (int round = 0; round < 3; round++) {
                    for (KvCacheType type : KvCacheType.values()) {
                        long w0 = System.nanoTime();
                        PagedKvCache cache = new PagedKvCache(c, seqs * perSeq, blockSize, type);
                        System.out.printf(Locale.ROOT, "attention probe: %s cache created in %.0f ms%n", type, (System.nanoTime() - w0) / 1e6);
                        fill(cache, c);
                        SequenceBatch batch = new SequenceBatch(seqs, seqs);
                        int[] tokens = new int[ctx];
                        for (int s = 0; s < seqs; s++) {
                            int[] table = new int[perSeq];
                            for (int b = 0; b < perSeq; b++) {
                                table[b] = s * perSeq + b;
                            }
                            batch.addSequence(table, tokens, ctx - 1, 1, ctx - 1, false);
                        }
                        PagedAttention att = new PagedAttention(c, KernelProvider.get(), threads, ctx);
                        float[] q = new float[seqs * c.queryDim()];
                        SplittableRandom r = new SplittableRandom(1);
                        for (int i = 0; i < q.length; i++) {
                            q[i] = (float) r.nextGaussian();
                        }
                        float[] out = new float[seqs * c.queryDim()];
                        int iters = 0;
                        long t0 = System.nanoTime();
                        while (System.nanoTime() - t0 < 2_000_000_000L) {
                            for (int l = 0; l < c.numLayers(); l++) {
                                att.run(cache, l, batch, q, out, ctx - 1, pool);
                            }
                            iters++;
                        }
                        double us = (System.nanoTime() - t0) / 1e3 / iters;
                        System.out.printf(Locale.ROOT, "attention probe round %d: %s cache, %d seqs at position %d, %d layers: %.1f µs/step%n",
                                round, type, seqs, ctx - 1, c.numLayers(), us);
                    }
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    private static void fill(PagedKvCache cache, LlamaConfig c) {
        SplittableRandom r = new SplittableRandom(2);
        for (int l = 0; l < c.numLayers(); l++) {
            if (cache.type() == KvCacheType.F32) {
                for (float[] a : new float[][] {cache.keys(l), cache.values(l)}) {
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) r.nextGaussian();
                    }
                }
            } else if (cache.type() == KvCacheType.Q8_0) {
                float[] row = new float[c.kvDim()];
                for (int part = 0; part < 2; part++) {
                    byte[] q = part == 0 ? cache.quantKeys(l) : cache.quantValues(l);
                    short[] d = part == 0 ? cache.keyScales(l) : cache.valueScales(l);
                    for (int o = 0; o < q.length; o += row.length) {
                        for (int i = 0; i < row.length; i++) {
                            row[i] = (float) r.nextGaussian();
                        }
                        Q8Rows.quantize(row, 0, q, d, o, row.length);
                    }
                }
            } else {
                for (short[] a : new short[][] {cache.halfKeys(l), cache.halfValues(l)}) {
                    for (int i = 0; i < a.length; i++) {
                        a[i] = Float.floatToFloat16((float) r.nextGaussian());
                    }
                }
            }
        }
    }
}
