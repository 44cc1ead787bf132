package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReadBandwidthTest {
    @Test
    void aPassReadsEveryByteOnAnyThreadCount() {
        try (ReadBandwidth probe = new ReadBandwidth(5)) {
            assertThat(probe.bytes()).isEqualTo(5L << 20);
            assertThat(probe.scalarSum()).isEqualTo(probe.expectedSum()).isEqualTo(6.0 * (5L << 20) / 16);
            for (int threads = 1; threads <= 3; threads++) {
                WorkerPool pool = new WorkerPool(threads);
                try {
                    assertThat(probe.pass(pool)).isEqualTo(probe.scalarSum());
                    assertThat(probe.measure(pool)).isPositive();
                    assertThat(probe.best(pool, 2)).isPositive();
                } finally {
                    pool.shutdown();
                }
            }
        }
    }

    @Test
    void rejectsAnEmptyBuffer() {
        assertThatThrownBy(() -> new ReadBandwidth(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 MiB");
    }
}
