package io.llmopt.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EngineWarmUpTest {
    @Test
    void runsConcurrentRequestsToTheEndAndReturnsEveryBlock() {
        try (BatchingEngine engine = BatchingEngine.start(EngineFixtures.load(EngineFixtures.STORIES),
                EngineFixtures.config(4, 64, 32, 16, 128, true))) {
            long ms = EngineWarmUp.run(engine, 3, 32, 16, 120);
            assertThat(ms).isGreaterThanOrEqualTo(0);
            EngineFixtures.awaitIdle(engine);
            EngineStats s = engine.stats();
            assertThat(s.generatedTokens()).isEqualTo(3 * 16);
            assertThat(s.promptTokens()).isEqualTo(3 * 32);
            assertThat(s.kvBlocksUsed()).isZero();
        }
    }

    @Test
    void clampsToASmallContext() {
        try (BatchingEngine engine = BatchingEngine.start(EngineFixtures.load(EngineFixtures.STORIES),
                EngineFixtures.config(2, 64, 8, 16, 24, false))) {
            EngineWarmUp.run(engine, 2, 32, 16, 120);
            EngineFixtures.awaitIdle(engine);
            assertThat(engine.stats().promptTokens() + engine.stats().generatedTokens()).isLessThanOrEqualTo(2 * 24);
            assertThat(engine.stats().kvBlocksUsed()).isZero();
        }
    }
}
