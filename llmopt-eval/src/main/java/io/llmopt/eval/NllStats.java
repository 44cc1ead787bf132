package io.llmopt.eval;

/**
 * Running sums of per-token negative log-likelihoods (nats) and the perplexity statistics llama.cpp prints:
 * PPL = exp(E[nll]) and its error PPL·sqrt((E[nll²] − E[nll]²)/(count − 1)) (first-order propagation of the
 * standard error of the mean NLL). Thread-safe: a scoring thread adds while a shutdown hook may read.
 */
public final class NllStats {
    private double sum;
    private double sumSquares;
    private long count;

    public synchronized void add(double nll) {
        sum += nll;
        sumSquares += nll * nll;
        count++;
    }

    /** Adds a batch of sums at once (one lock per window instead of per token). */
    public synchronized void add(double nllSum, double nllSquareSum, long n) {
        sum += nllSum;
        sumSquares += nllSquareSum;
        count += n;
    }

    public synchronized long count() {
        return count;
    }

    /** Mean NLL in nats per token; NaN before the first token. */
    public synchronized double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Standard error of the mean NLL; NaN with fewer than two tokens. */
    public synchronized double meanStderr() {
        if (count < 2) {
            return Double.NaN;
        }
        double mean = sum / count;
        double variance = sumSquares / count - mean * mean;
        return variance > 0 ? Math.sqrt(variance / (count - 1)) : 0;
    }

    public synchronized double perplexity() {
        return Math.exp(mean());
    }

    public synchronized double perplexityStderr() {
        return perplexity() * meanStderr();
    }
}
