package io.llmopt.server.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PercentilesTest {
    @Test
    void matchesNumpyLinearPercentiles() {
        // numpy.percentile([3, 1, 4, 2], [50, 90, 99]) = [2.5, 3.7, 3.97]
        Percentiles p = Percentiles.of(new double[] {3, 1, 4, 2});
        assertThat(p.mean()).isEqualTo(2.5);
        assertThat(p.p50()).isCloseTo(2.5, within(1e-12));
        assertThat(p.p90()).isCloseTo(3.7, within(1e-12));
        assertThat(p.p99()).isCloseTo(3.97, within(1e-12));
        assertThat(p.max()).isEqualTo(4);
        Percentiles one = Percentiles.of(new double[] {7});
        assertThat(one.p99()).isEqualTo(7);
        assertThat(Percentiles.of(new double[0]).count()).isZero();
    }
}
