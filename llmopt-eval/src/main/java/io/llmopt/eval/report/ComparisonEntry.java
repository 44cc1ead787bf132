package io.llmopt.eval.report;

/**
 * One model's row of a comparison. NaN marks a figure that was not measured (no task, no --bench) or does
 * not apply (KLD of the base against itself is 0 by definition and reported as 0).
 *
 * @param bitsPerWeight    file bytes · 8 / weights stored in the file (llama.cpp's bpw: whole file, metadata included)
 * @param deltaPplPercent  (PPL / PPL(base) − 1) · 100
 * @param sameTopP         fraction of positions whose most likely token equals the base's
 * @param ppTokensPerSecond prompt processing speed (one batch of benchPromptTokens)
 * @param tgTokensPerSecond generation speed (one token per forward pass)
 * @param tgSpeedup        tgTokensPerSecond / the base's
 * @param peakRssBytes     the process's peak resident set after this model (Linux VmHWM; cumulative over
 *                         the models measured so far in this process, so only the first row is the
 *                         model's own peak); −1 where unknown
 */
public record ComparisonEntry(String label, String path, long fileBytes, long weights, double bitsPerWeight,
        double ppl, double pplStderr, double deltaPplPercent, double kldMean, double kldStderr, double sameTopP,
        double acc, double accNorm, double accMutualInfo, double ppTokensPerSecond, double tgTokensPerSecond, double tgSpeedup,
        long peakRssBytes, double evalSeconds) {
}
