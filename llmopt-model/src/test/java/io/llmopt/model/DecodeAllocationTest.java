package io.llmopt.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.formats.llama2c.Llama2cCheckpoint;
import io.llmopt.model.loader.Llama2cLoader;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The decode step (forward of one token) allocates no heap memory, on the caller nor on kernel threads. */
class DecodeAllocationTest {

    private static long[] kernelThreadIds() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("llmopt-kernel-"))
                .mapToLong(Thread::threadId).toArray();
    }

    private static long allocated(com.sun.management.ThreadMXBean bean, long[] workers) {
        long sum = bean.getCurrentThreadAllocatedBytes();
        for (long id : workers) {
            sum += bean.getThreadAllocatedBytes(id);
        }
        return sum;
    }

    @Test
    void decodingATokenAllocatesNothing() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        WorkerPool pool = new WorkerPool(2);
        try (Llama2cCheckpoint ckpt = Llama2cCheckpoint.open(SharedData.require("models/stories260K/stories260K.bin"))) {
            LlamaModel m = new LlamaModel(Llama2cLoader.config(ckpt.header()), Llama2cLoader.weights(ckpt), KernelProvider.get(), pool);
            ForwardState s = m.newState(512, 8);
            int[] token = {1};
            int pos = 100;
            for (int i = 0; i < 3000; i++) { // warm-up until C2 compiled the loop (JIT, thread-local jobs, buffers)
                m.forward(s, token, 0, 1, i % 400, false);
            }
            long[] workers = kernelThreadIds();
            long me = bean.getCurrentThreadAllocatedBytes();
            long before = allocated(bean, workers);
            for (; pos < 300; pos++) {
                token[0] = (pos * 31) % 512;
                m.forward(s, token, 0, 1, pos, false);
            }
            long perToken = (allocated(bean, workers) - before) / 200;
            System.out.println("caller only: " + (bean.getCurrentThreadAllocatedBytes() - me) / 200);
            System.out.println("decode allocation: " + perToken + " bytes/token (threads: " + Arrays.toString(new int[] {pool.threads()}) + ")");
            assertThat(perToken).as("bytes allocated per decoded token").isLessThan(16);
        } finally {
            pool.shutdown();
        }
    }
}
