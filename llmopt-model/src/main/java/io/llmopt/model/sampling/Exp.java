package io.llmopt.model.sampling;

/**
 * e^x for x ≤ 0, the only exponential sampling needs (logits minus their maximum, divided by a positive temperature).
 *
 * <p>Why not {@link Math#exp}: its result may differ by an ulp between JVMs and CPUs (intrinsics), which would let
 * the same seed pick different tokens on different machines. {@link StrictMath#exp} is reproducible but several
 * times slower, and sampling a 128k vocabulary takes 128k exponentials. This uses only IEEE {@code +}, {@code *} and
 * exact operations (Java never fuses them), so it is bit-reproducible everywhere, and it is within 1e-13 relative of
 * {@link StrictMath#exp} (tested) — far below the float precision of logits.
 *
 * <p>Method: x = k·ln2 + r with k = rint(x/ln2), |r| ≤ ln2/2, ln2 split in two parts so that k·ln2hi is exact (Cody and
 * Waite, as in fdlibm); e^r by its Taylor series to r^12/12! (truncation error &lt; 3e-16); times 2^k built from its
 * bits. Results below e^-708 (subnormal in double, zero in float) are returned as 0.
 */
final class Exp {
    private static final double LOG2_E = 1.4426950408889634;
    private static final double LN2_HI = 6.93147180369123816490e-01; // low 32 bits zero: k·LN2_HI is exact
    private static final double LN2_LO = 1.90821492927058770002e-10;
    private static final double UNDERFLOW = -708;

    private Exp() {
    }

    /** e^x for x ≤ 0 (and −∞ ⇒ 0). Arguments above 0 are outside the contract. */
    static double ofNonPositive(double x) {
        if (!(x > UNDERFLOW)) {
            return 0;
        }
        double k = Math.rint(x * LOG2_E);
        double r = (x - k * LN2_HI) - k * LN2_LO;
        double p = 1 + r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
                + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800
                + r * (1.0 / 479001600))))))))))));
        return p * Double.longBitsToDouble((long) (k + 1023) << 52);
    }
}
