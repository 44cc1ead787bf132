package io.llmopt.train;

import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.ops.CrossEntropyOp;

/** Next-token cross-entropy: the language-modelling loss, and the validation loss of every run. */
public final class CrossEntropyObjective implements Objective {
    private final WorkerPool pool;

    public CrossEntropyObjective(WorkerPool pool) {
        this.pool = pool;
    }

    @Override
    public double lossAndGradient(TrainingModel model, int[] inputs, int[] targets, int batch, float scale) {
        double sum = loss(model, targets, batch);
        Activations a = model.activations();
        int rows = batch * a.seqLen();
        CrossEntropyOp.backward(a.logits(), a.logits(), targets, 0, scale, rows, model.config().vocabSize(), pool);
        return sum;
    }

    /** The summed cross-entropy of the last forward pass, without touching the logits. */
    public double loss(TrainingModel model, int[] targets, int batch) {
        Activations a = model.activations();
        int rows = batch * a.seqLen();
        CrossEntropyOp.forward(a.losses(), a.logits(), targets, 0, rows, model.config().vocabSize(), pool);
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            sum += a.losses()[r];
        }
        return sum;
    }

    @Override
    public String name() {
        return "cross-entropy";
    }
}
