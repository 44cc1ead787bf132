package io.llmopt.eval;

import java.util.Arrays;

/**
 * Compares a variant's logits, position by position, with the base log-probs saved in a logits file, and
 * accumulates llama-perplexity's --kl-divergence statistics. Feed it as the {@link ScoredPositionListener}
 * of a {@link Perplexity} run over the file's tokens with the file's context and windows.
 *
 * <p>Per position, with P the base and Q the variant distribution, S the base's stored top-K tokens and
 * r_P = 1 − Σ_S p, r_Q = Σ_{v∉S} q(v) (computed directly, not by subtraction):
 * KL = Σ_{v∈S} p(v)·(log p(v) − log q(v)) + r_P·(log r_P − log r_Q): the divergence of the two
 * distributions coarsened to {S, rest} (see {@link LogitsFileHeader} for why). Δp = q(target) − p(target).
 * "Same top" compares the argmax of Q with the base's most likely token (ties to the lower id).
 *
 * <p>{@link #accept} and {@link #result} are synchronized so a Ctrl-C hook can take a partial result.
 */
public final class KlDivergence implements ScoredPositionListener {
    private final LogitsFileReader base;
    private final LogitsFileReader.Position record;
    private final int[] stamp;
    private int stampValue;
    private final NllStats nllVariant = new NllStats();
    private final NllStats nllBase = new NllStats();
    private double sumNllProduct;
    private double sumKld;
    private double sumKld2;
    private double sumDp;
    private double sumDp2;
    private double sumDp4;
    private double sumTail;
    private long sameTop;
    private long count;
    private float[] klds = new float[1024];
    private float[] deltaPs = new float[1024];

    public KlDivergence(LogitsFileReader base) {
        this.base = base;
        this.record = base.newPosition();
        this.stamp = new int[base.header().vocabSize()];
    }

    @Override
    public synchronized void accept(float[] logits, int offset, int vocab, int target, double logSumExp) {
        base.next(record);
        int k = record.ids.length;
        if (++stampValue == 0) {
            Arrays.fill(stamp, 0);
            stampValue = 1;
        }
        double kl = 0;
        for (int i = 0; i < k; i++) {
            int id = record.ids[i];
            stamp[id] = stampValue;
            double lp = record.logprobs[i];
            double lq = logits[offset + id] - logSumExp;
            kl += Math.exp(lp) * (lp - lq);
        }
        double tailP = 0;
        if (record.tailLogMass != Float.NEGATIVE_INFINITY) {
            double tailQ = 0;
            for (int v = 0; v < vocab; v++) {
                if (stamp[v] != stampValue) {
                    tailQ += Math.exp(logits[offset + v] - logSumExp);
                }
            }
            tailP = Math.exp(record.tailLogMass);
            kl += tailP * (record.tailLogMass - Math.log(tailQ));
        }
        double nllQ = logSumExp - logits[offset + target];
        double nllP = -record.targetLogprob;
        double dp = Math.exp(-nllQ) - Math.exp(-nllP);
        nllVariant.add(nllQ);
        nllBase.add(nllP);
        sumNllProduct += nllQ * nllP;
        sumKld += kl;
        sumKld2 += kl * kl;
        sumDp += dp;
        sumDp2 += dp * dp;
        sumDp4 += dp * dp * dp * dp;
        sumTail += tailP;
        if (LogSoftmax.argmax(logits, offset, vocab) == record.ids[0]) {
            sameTop++;
        }
        if (count == klds.length) {
            klds = Arrays.copyOf(klds, klds.length * 2);
            deltaPs = Arrays.copyOf(deltaPs, deltaPs.length * 2);
        }
        klds[(int) count] = (float) kl;
        deltaPs[(int) count] = (float) dp;
        count++;
    }

    /** The statistics over the positions seen so far. */
    public synchronized KlDivergenceResult result(boolean complete) {
        long n = count;
        double meanQ = nllVariant.mean();
        double meanP = nllBase.mean();
        double covariance = n > 1 ? (sumNllProduct / n - meanQ * meanP) / (n - 1) : Double.NaN;
        double errQ = nllVariant.meanStderr();
        double errP = nllBase.meanStderr();
        double lnRatio = meanQ - meanP;
        double lnRatioErr = Math.sqrt(Math.max(0, errQ * errQ + errP * errP - 2 * covariance));
        double varQ = errQ * errQ * (n - 1);
        double varP = errP * errP * (n - 1);
        double correlation = covariance * (n - 1) / Math.sqrt(varQ * varP);
        double kldMean = sumKld / n;
        double dpMean = sumDp / n;
        double dp2 = sumDp2 / n;
        double rms = Math.sqrt(dp2);
        double rmsErr = n > 1 && rms > 0 ? 0.5 / rms * Math.sqrt(Math.max(0, (sumDp4 / n - dp2 * dp2) / (n - 1))) : Double.NaN;
        double same = (double) sameTop / n;
        return new KlDivergenceResult(n, base.header().topK(), base.header().modelName(),
                nllBase.perplexity(), nllBase.perplexityStderr(), nllVariant.perplexity(), nllVariant.perplexityStderr(),
                correlation, lnRatio, lnRatioErr, Math.exp(lnRatio), Math.exp(lnRatio) * lnRatioErr,
                kldMean, stderr(sumKld2 / n, kldMean, n), Quantiles.of(klds, (int) n),
                dpMean, stderr(dp2, dpMean, n), rms, rmsErr, Quantiles.of(deltaPs, (int) n),
                same, n > 1 ? Math.sqrt(same * (1 - same) / (n - 1)) : Double.NaN, sumTail / n, complete);
    }

    private static double stderr(double meanOfSquares, double mean, long n) {
        if (n < 2) {
            return Double.NaN;
        }
        double variance = meanOfSquares - mean * mean;
        return variance > 0 ? Math.sqrt(variance / (n - 1)) : 0;
    }
}
