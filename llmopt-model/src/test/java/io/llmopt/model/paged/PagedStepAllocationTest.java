package io.llmopt.model.paged;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** A batched decode step (three sequences, one token each) allocates no heap memory once warmed up. */
class PagedStepAllocationTest {

    private static long allocated(com.sun.management.ThreadMXBean bean, long[] workers) {
        long sum = bean.getCurrentThreadAllocatedBytes();
        for (long id : workers) {
            sum += bean.getThreadAllocatedBytes(id);
        }
        return sum;
    }

    @Test
    void aDecodeStepOverSeveralSequencesAllocatesNothing() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        WorkerPool pool = new WorkerPool(1); // inline: 2000 thread hand-offs per step are slow on a busy machine
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/stories260K/stories260K-f32.gguf"))) {
            int blockSize = 16;
            int context = 128;
            PagedKvCache cache = new PagedKvCache(m.config(), 3 * context / blockSize, blockSize);
            PagedForward forward = new PagedForward(m.config(), m.weights(), KernelProvider.get(), pool, context, 8, 3);
            SequenceBatch batch = new SequenceBatch(8, 3);
            int[][] tables = new int[3][context / blockSize];
            for (int s = 0; s < 3; s++) {
                for (int b = 0; b < tables[s].length; b++) {
                    tables[s][b] = s * tables[s].length + b;
                }
            }
            int[] token = {7};
            for (int i = 0; i < 2000; i++) { // warm-up until C2 compiled the step (short contexts: it is the code that matters)
                step(forward, cache, batch, tables, token, i % 24);
            }
            long[] workers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("llmopt-kernel-")).mapToLong(Thread::threadId).toArray();
            long before = allocated(bean, workers);
            for (int pos = 0; pos < 50; pos++) {
                step(forward, cache, batch, tables, token, pos);
            }
            long perStep = (allocated(bean, workers) - before) / 50;
            System.out.println("paged decode step allocation: " + perStep + " bytes/step");
            assertThat(perStep).as("bytes allocated per batched decode step").isLessThan(16);
        } finally {
            pool.shutdown();
        }
    }

    private static void step(PagedForward forward, PagedKvCache cache, SequenceBatch batch, int[][] tables, int[] token, int pos) {
        batch.clear();
        for (int s = 0; s < 3; s++) {
            token[0] = (pos * 31 + s) % 512;
            batch.addSequence(tables[s], token, 0, 1, pos, true);
        }
        forward.forward(cache, batch);
    }
}
