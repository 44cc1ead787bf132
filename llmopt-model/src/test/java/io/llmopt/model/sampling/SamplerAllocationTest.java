package io.llmopt.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** sample(), accept() and TopLogprobs.compute() allocate nothing per token once warmed up. */
class SamplerAllocationTest {
    private static final int VOCAB = 512;
    private static final int CALLS = 10_000;
    /** Slack for the measurement itself (the MXBean call), not per call. */
    private static final long ALLOWED_BYTES = 1024;

    @Test
    void samplingAllocatesNothingPerToken() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
            System.out.println("skipped: thread allocation accounting unavailable on this JVM");
            Assumptions.abort("skipped: thread allocation accounting unavailable on this JVM");
        }

        float[][] logitRows = new float[16][VOCAB];
        Random random = new Random(17);
        for (float[] row : logitRows) {
            for (int i = 0; i < VOCAB; i++) {
                row[i] = (float) (random.nextGaussian() * 2);
            }
        }
        SamplingParams base = SamplingParams.greedy().withSeed(3);
        SamplingParams[] configurations = {
            base,
            base.withTemperature(1),
            base.withTemperature(0.8).withTopK(40),
            base.withTemperature(0.8).withTopP(0.9),
            base.withTemperature(0.8).withMinP(0.05),
            SamplingParams.defaults().withSeed(4).withRepeatPenalty(1.1).withFrequencyPenalty(0.2)
                    .withPresencePenalty(0.1).withLogitBias(Map.of(5, 2f, 6, Float.NEGATIVE_INFINITY)),
            base.withTemperature(1.2).withTopP(0.95).withRepeatPenalty(1.2).withRepeatLastN(-1),
        };
        for (SamplingParams params : configurations) {
            Sampler sampler = new Sampler(params, VOCAB);
            TopLogprobs logprobs = new TopLogprobs(20);
            long warm = run(sampler, logprobs, logitRows, 12_000); // JIT warm-up, history window filled
            long before = threads.getCurrentThreadAllocatedBytes();
            long checksum = run(sampler, logprobs, logitRows, CALLS);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(allocated).as("bytes allocated by %d calls with %s", CALLS, params).isLessThan(ALLOWED_BYTES);
            assertThat(warm + checksum).isNotZero();
        }
    }

    private static long run(Sampler sampler, TopLogprobs logprobs, float[][] rows, int calls) {
        long checksum = 0;
        for (int i = 0; i < calls; i++) {
            float[] logits = rows[i & 15];
            int token = sampler.sample(logits, VOCAB);
            sampler.accept(token);
            logprobs.compute(logits, VOCAB, 5);
            checksum += token + logprobs.token(0);
        }
        return checksum;
    }
}
