package io.llmopt.eval.mc;

import io.llmopt.eval.ProgressListener;
import io.llmopt.model.LlamaModel;
import io.llmopt.tokenizer.Tokenizer;
import java.util.List;

/**
 * Scores a multiple-choice task by log-likelihood, as lm-evaluation-harness's multiple_choice tasks: acc
 * takes the answer with the highest log P(answer | context), acc_norm the highest log P divided by the
 * answer's length in characters (the harness's {@code len(choice)}), acc_mutual_info the highest
 * log P(answer | context) − log P(answer | BOS); ties go to the first answer, as numpy's argmax. {@link #snapshot()} may be called from another thread (Ctrl-C) during {@link #run}.
 */
public final class MultipleChoice {
    private final ContinuationScorer scorer;
    private volatile String task = "";
    private volatile int planned;
    private int done;
    private int correct;
    private int correctNorm;
    private int correctMutualInfo;
    private double chanceSum;
    private volatile long startNanos;
    private volatile long endNanos;

    /**
     * @param contextLength cache size: longer requests lose context tokens from the left
     * @param batch         tokens per forward call
     */
    public MultipleChoice(LlamaModel model, Tokenizer tokenizer, int contextLength, int batch) {
        this.scorer = new ContinuationScorer(model, tokenizer, contextLength, batch);
    }

    public McResult run(String taskName, List<McItem> items, ProgressListener progress) {
        task = taskName;
        planned = items.size();
        startNanos = System.nanoTime();
        for (McItem item : items) {
            double[] ll = scorer.score(item);
            double[] prior = scorer.unconditional(item);
            int best = 0;
            int bestNorm = 0;
            int bestMutualInfo = 0;
            for (int i = 1; i < ll.length; i++) {
                if (ll[i] - prior[i] > ll[bestMutualInfo] - prior[bestMutualInfo]) {
                    bestMutualInfo = i;
                }
                if (ll[i] > ll[best]) {
                    best = i;
                }
                if (ll[i] / item.choices().get(i).normLength() > ll[bestNorm] / item.choices().get(bestNorm).normLength()) {
                    bestNorm = i;
                }
            }
            synchronized (this) {
                correct += best == item.gold() ? 1 : 0;
                correctNorm += bestNorm == item.gold() ? 1 : 0;
                correctMutualInfo += bestMutualInfo == item.gold() ? 1 : 0;
                chanceSum += 1.0 / ll.length;
                done++;
            }
            McResult now = snapshot();
            progress.update(now.items(), planned, String.format("acc %.3f acc_norm %.3f acc_mi %.3f", now.acc(), now.accNorm(), now.accMutualInfo()));
        }
        endNanos = System.nanoTime();
        return snapshot();
    }

    public synchronized McResult snapshot() {
        long end = endNanos != 0 ? endNanos : System.nanoTime();
        double elapsed = startNanos == 0 ? 0 : (end - startNanos) / 1e9;
        double acc = (double) correct / done;
        double accNorm = (double) correctNorm / done;
        double accMutualInfo = (double) correctMutualInfo / done;
        return new McResult(task, done, planned, acc, stderr(acc, done), accNorm, stderr(accNorm, done), accMutualInfo,
                stderr(accMutualInfo, done), chanceSum / done,
                elapsed, endNanos != 0);
    }

    private static double stderr(double p, int n) {
        return n > 1 ? Math.sqrt(p * (1 - p) / (n - 1)) : Double.NaN;
    }
}
