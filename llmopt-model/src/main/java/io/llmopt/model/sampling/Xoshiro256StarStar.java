package io.llmopt.model.sampling;

/**
 * xoshiro256** (Blackman and Vigna, 2018), the sampler's PRNG, with its 256-bit state expanded from a 64-bit seed by
 * SplitMix64 as the authors recommend. Both use only 64-bit integer arithmetic, so a seed yields the same stream on
 * every JVM and platform, and the stream is pinned by golden values in the tests: changing this class changes the
 * tokens every seeded run produces. Not thread-safe (one per {@link Sampler}); allocation-free.
 */
final class Xoshiro256StarStar {
    private long s0;
    private long s1;
    private long s2;
    private long s3;

    Xoshiro256StarStar(long seed) {
        reseed(seed);
    }

    /** Restarts the stream this seed defines. */
    void reseed(long seed) {
        long x = seed;
        x += 0x9E3779B97F4A7C15L;
        s0 = splitMix64(x);
        x += 0x9E3779B97F4A7C15L;
        s1 = splitMix64(x);
        x += 0x9E3779B97F4A7C15L;
        s2 = splitMix64(x);
        x += 0x9E3779B97F4A7C15L;
        s3 = splitMix64(x);
    }

    /** The finaliser of SplitMix64 (Steele, Lea and Flood), applied to the already advanced state. */
    private static long splitMix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1): the top 53 bits of {@link #nextLong()} scaled by 2^-53 (exact in a double). */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}
