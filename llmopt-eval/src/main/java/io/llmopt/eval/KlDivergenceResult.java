package io.llmopt.eval;

/**
 * How far a variant's next-token distributions are from the base model's, over the same scored positions
 * (llama-perplexity --kl-divergence's report). Probabilities are fractions (0..1), not percent.
 *
 * @param positions         scored positions compared
 * @param topK              base log-probs kept per position in the logits file
 * @param baseModel         name recorded in the logits file
 * @param pplBase           base PPL from the saved target log-probs (exact: no cap, unlike llama.cpp's file)
 * @param pplVariant        the variant's PPL on the same positions
 * @param nllCorrelation    Pearson correlation of per-token NLLs (llama.cpp's Cor(ln PPL(Q), ln PPL(base)))
 * @param lnPplRatio        mean(nll_variant − nll_base) = ln(PPL variant / PPL base), with its error
 * @param pplRatio          PPL variant / PPL base, error propagated from lnPplRatio
 * @param kldMean           mean KL(base ‖ variant) in nats, with its standard error
 * @param kld               distribution of the per-position KLD
 * @param deltaPMean        mean of p_variant(target) − p_base(target), with its standard error
 * @param deltaPRms         root mean square of Δp, with its error
 * @param deltaP            distribution of Δp
 * @param sameTopP          fraction of positions whose most likely token is the same, with its binomial error
 * @param baseTailMassMean  mean base probability outside the stored top K (how much the top-K
 *                          coarsening could hide; 0 when K covers the vocabulary)
 */
public record KlDivergenceResult(long positions, int topK, String baseModel,
        double pplBase, double pplBaseStderr, double pplVariant, double pplVariantStderr, double nllCorrelation,
        double lnPplRatio, double lnPplRatioStderr, double pplRatio, double pplRatioStderr,
        double kldMean, double kldStderr, Quantiles kld,
        double deltaPMean, double deltaPStderr, double deltaPRms, double deltaPRmsStderr, Quantiles deltaP,
        double sameTopP, double sameTopPStderr, double baseTailMassMean, boolean complete) {
}
