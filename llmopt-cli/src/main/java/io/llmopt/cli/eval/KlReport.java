package io.llmopt.cli.eval;

import io.llmopt.eval.KlDivergenceResult;
import io.llmopt.eval.Quantiles;
import java.io.PrintWriter;

/** The text report of a KL-divergence run, laid out like llama-perplexity's. */
final class KlReport {
    private KlReport() {
    }

    static void print(PrintWriter out, KlDivergenceResult r) {
        out.printf("====== Perplexity statistics (%d positions, base: %s) ======%n", r.positions(), r.baseModel());
        out.printf("Mean PPL(Q)                   : %10.6f ± %10.6f%n", r.pplVariant(), r.pplVariantStderr());
        out.printf("Mean PPL(base)                : %10.6f ± %10.6f%n", r.pplBase(), r.pplBaseStderr());
        out.printf("Cor(ln(PPL(Q)), ln(PPL(base))): %6.2f%%%n", 100 * r.nllCorrelation());
        out.printf("Mean ln(PPL(Q)/PPL(base))     : %10.6f ± %10.6f%n", r.lnPplRatio(), r.lnPplRatioStderr());
        out.printf("Mean PPL(Q)/PPL(base)         : %10.6f ± %10.6f%n", r.pplRatio(), r.pplRatioStderr());
        out.println();
        out.printf("====== KL divergence statistics (base top-%d log-probs, mean base tail mass %.2e) ======%n", r.topK(), r.baseTailMassMean());
        out.printf("Mean    KLD: %10.6f ± %10.6f%n", r.kldMean(), r.kldStderr());
        Quantiles k = r.kld();
        row(out, "Maximum KLD", k.max(), 1);
        row(out, "99.9%   KLD", k.p99_9(), 1);
        row(out, "99.0%   KLD", k.p99(), 1);
        row(out, "95.0%   KLD", k.p95(), 1);
        row(out, "90.0%   KLD", k.p90(), 1);
        row(out, "Median  KLD", k.median(), 1);
        row(out, "10.0%   KLD", k.p10(), 1);
        row(out, " 5.0%   KLD", k.p5(), 1);
        row(out, " 1.0%   KLD", k.p1(), 1);
        row(out, " 0.1%   KLD", k.p0_1(), 1);
        row(out, "Minimum KLD", k.min(), 1);
        out.println();
        out.println("====== Token probability statistics ======");
        out.printf("Mean    Δp: %8.3f ± %5.3f %%%n", 100 * r.deltaPMean(), 100 * r.deltaPStderr());
        Quantiles d = r.deltaP();
        row(out, "Maximum Δp", d.max(), 100);
        row(out, "99.9%   Δp", d.p99_9(), 100);
        row(out, "99.0%   Δp", d.p99(), 100);
        row(out, "95.0%   Δp", d.p95(), 100);
        row(out, "90.0%   Δp", d.p90(), 100);
        row(out, "75.0%   Δp", d.p75(), 100);
        row(out, "Median  Δp", d.median(), 100);
        row(out, "25.0%   Δp", d.p25(), 100);
        row(out, "10.0%   Δp", d.p10(), 100);
        row(out, " 5.0%   Δp", d.p5(), 100);
        row(out, " 1.0%   Δp", d.p1(), 100);
        row(out, " 0.1%   Δp", d.p0_1(), 100);
        row(out, "Minimum Δp", d.min(), 100);
        out.printf("RMS Δp    : %8.3f ± %5.3f %%%n", 100 * r.deltaPRms(), 100 * r.deltaPRmsStderr());
        out.printf("Same top p: %8.3f ± %5.3f %%%n", 100 * r.sameTopP(), 100 * r.sameTopPStderr());
        if (!r.complete()) {
            out.println("(partial: interrupted before the last chunk)");
        }
    }

    private static void row(PrintWriter out, String label, double value, double scale) {
        out.printf(scale == 1 ? "%s: %10.6f%n" : "%s: %8.3f %%%n", label, value * scale);
    }
}
