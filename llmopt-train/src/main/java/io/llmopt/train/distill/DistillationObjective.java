package io.llmopt.train.distill;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.Activations;
import io.llmopt.train.Objective;
import io.llmopt.train.TrainingModel;
import io.llmopt.train.ops.DistillationLossOp;

/**
 * Knowledge distillation: the {@link Teacher} (the inference model, any weight type, or a float32 copy on the
 * training kernels) runs the b sequences of the micro-batch and its logits [b·T][V] become soft targets for
 * {@link DistillationLossOp}. Teacher and student must share the vocabulary.
 */
public final class DistillationObjective implements Objective {
    private final Teacher teacher;
    private final DistillationLossOp loss;
    private final WorkerPool pool;
    private final int seqLen;
    private final int vocab;
    private final float[] teacherLogits; // [B·T][V]
    private final float[] kl;            // [B·T]
    private final float[] ce;            // [B·T]
    private final String name;
    private double lastKl;
    private double lastCe;

    public DistillationObjective(Teacher teacher, int studentVocab, int maxBatch, int seqLen, double temperature, double alpha,
            boolean reverse, WorkerPool pool) {
        if (teacher.config().vocabSize() != studentVocab) {
            throw new LlmoptException("teacher and student must share the vocabulary: the teacher has " + teacher.config().vocabSize()
                    + " tokens, the student " + studentVocab);
        }
        this.teacher = teacher;
        this.loss = new DistillationLossOp(temperature, alpha, reverse);
        this.pool = pool;
        this.seqLen = seqLen;
        this.vocab = studentVocab;
        this.teacherLogits = new float[Math.multiplyExact(Math.multiplyExact(maxBatch, seqLen), vocab)];
        this.kl = new float[maxBatch * seqLen];
        this.ce = new float[maxBatch * seqLen];
        this.name = String.format(java.util.Locale.ROOT, "distillation temperature=%s alpha=%s %s", temperature, alpha,
                reverse ? "reverse-kl" : "forward-kl");
    }

    @Override
    public double lossAndGradient(TrainingModel model, int[] inputs, int[] targets, int batch, float scale) {
        int rows = batch * seqLen;
        teacher.logits(inputs, batch, teacherLogits);
        Activations a = model.activations();
        loss.forward(a.losses(), kl, ce, a.logits(), teacherLogits, targets, 0, rows, vocab, pool);
        loss.backward(a.logits(), a.logits(), teacherLogits, targets, 0, scale, rows, vocab, pool);
        double sum = 0;
        double klSum = 0;
        double ceSum = 0;
        for (int r = 0; r < rows; r++) {
            sum += a.losses()[r];
            klSum += kl[r];
            ceSum += ce[r];
        }
        lastKl = klSum / rows;
        lastCe = ceSum / rows;
        return sum;
    }

    /** Mean KL divergence (at the temperature) of the last micro-batch. */
    public double lastKl() {
        return lastKl;
    }

    /** Mean cross-entropy against the labels of the last micro-batch. */
    public double lastCrossEntropy() {
        return lastCe;
    }

    @Override
    public String name() {
        return name;
    }
}
