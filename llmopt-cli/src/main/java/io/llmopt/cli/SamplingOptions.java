package io.llmopt.cli;

import io.llmopt.model.sampling.SamplingParams;
import picocli.CommandLine.Option;

/** Sampling flags, llama.cpp spellings and defaults. */
public final class SamplingOptions {
    @Option(names = "--temp", paramLabel = "T", description = "temperature, 0 = greedy (default: ${DEFAULT-VALUE})")
    double temperature = 0.8;

    @Option(names = "--top-k", paramLabel = "K", description = "top-k, 0 = off (default: ${DEFAULT-VALUE})")
    int topK = 40;

    @Option(names = "--top-p", paramLabel = "P", description = "top-p (nucleus), 1 = off (default: ${DEFAULT-VALUE})")
    double topP = 0.95;

    @Option(names = "--min-p", paramLabel = "P", description = "min-p, 0 = off (default: ${DEFAULT-VALUE})")
    double minP = 0.05;

    @Option(names = "--repeat-penalty", paramLabel = "X", description = "repetition penalty, 1 = off (default: ${DEFAULT-VALUE})")
    double repeatPenalty = 1.0;

    @Option(names = "--repeat-last-n", paramLabel = "N", description = "tokens the penalties look back at, -1 = all (default: ${DEFAULT-VALUE})")
    int repeatLastN = 64;

    @Option(names = "--frequency-penalty", paramLabel = "X", description = "OpenAI frequency penalty (default: ${DEFAULT-VALUE})")
    double frequencyPenalty;

    @Option(names = "--presence-penalty", paramLabel = "X", description = "OpenAI presence penalty (default: ${DEFAULT-VALUE})")
    double presencePenalty;

    @Option(names = {"-s", "--seed"}, paramLabel = "SEED", description = "random seed, -1 = random (default: ${DEFAULT-VALUE})")
    long seed = -1;

    SamplingParams params() {
        SamplingParams p = SamplingParams.defaults().withTemperature(temperature).withTopK(topK).withTopP(topP)
                .withMinP(minP).withRepeatPenalty(repeatPenalty).withRepeatLastN(repeatLastN)
                .withFrequencyPenalty(frequencyPenalty).withPresencePenalty(presencePenalty);
        return seed == -1 ? p.withRandomSeed() : p.withSeed(seed);
    }
}
