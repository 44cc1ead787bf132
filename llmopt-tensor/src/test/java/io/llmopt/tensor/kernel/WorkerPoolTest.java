package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void everyIndexRunsExactlyOnceAcrossManyGenerations() {
        WorkerPool pool = new WorkerPool(3);
        try {
            for (int round = 0; round < 2000; round++) {
                int n = 1 + round % 97;
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                pool.run(n, 1, (worker, from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(hits.get(i)).as("round %d index %d", round, i).isEqualTo(1);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void failuresPropagateToTheCallerAndThePoolStaysUsable() {
        WorkerPool pool = new WorkerPool(2);
        try {
            assertThatThrownBy(() -> pool.run(100, 1, (worker, from, to) -> {
                if (from <= 50 && 50 < to) {
                    throw new IllegalStateException("boom");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            int[] sum = new int[1];
            pool.run(10, 100, (worker, from, to) -> sum[0] += to - from);
            assertThat(sum[0]).isEqualTo(10);
        } finally {
            pool.shutdown();
        }
    }
}
