package io.llmopt.train;

import java.util.Arrays;

/**
 * The loss curve of a run, kept in checkpoints so that a resumed run reports the whole curve: per optimizer step
 * the mean training loss, learning rate and gradient norm (before clipping); per evaluation its step (0 = before
 * training) and mean validation cross-entropy.
 */
public final class TrainHistory {
    private float[] trainLoss = new float[16];
    private float[] learningRate = new float[16];
    private float[] gradNorm = new float[16];
    private int steps;
    private int[] evalStep = new int[4];
    private float[] evalLoss = new float[4];
    private int evals;

    public void addStep(float loss, float lr, float norm) {
        if (steps == trainLoss.length) {
            trainLoss = Arrays.copyOf(trainLoss, 2 * steps);
            learningRate = Arrays.copyOf(learningRate, 2 * steps);
            gradNorm = Arrays.copyOf(gradNorm, 2 * steps);
        }
        trainLoss[steps] = loss;
        learningRate[steps] = lr;
        gradNorm[steps] = norm;
        steps++;
    }

    public void addEval(int step, float loss) {
        if (evals == evalStep.length) {
            evalStep = Arrays.copyOf(evalStep, 2 * evals);
            evalLoss = Arrays.copyOf(evalLoss, 2 * evals);
        }
        evalStep[evals] = step;
        evalLoss[evals] = loss;
        evals++;
    }

    public int steps() {
        return steps;
    }

    public float[] trainLoss() {
        return Arrays.copyOf(trainLoss, steps);
    }

    public float[] learningRate() {
        return Arrays.copyOf(learningRate, steps);
    }

    public float[] gradNorm() {
        return Arrays.copyOf(gradNorm, steps);
    }

    public int evals() {
        return evals;
    }

    public int[] evalSteps() {
        return Arrays.copyOf(evalStep, evals);
    }

    public float[] evalLoss() {
        return Arrays.copyOf(evalLoss, evals);
    }

    /** Keeps only the first {@code n} steps and the evaluations at steps ≤ n (after resuming from step n). */
    public void truncate(int n) {
        steps = Math.min(steps, n);
        int e = 0;
        while (e < evals && evalStep[e] <= n) {
            e++;
        }
        evals = e;
    }
}
