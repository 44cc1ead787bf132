package io.llmopt.train;

/**
 * What training minimises, given the logits of the model's last forward pass. Implementations write the
 * per-position losses to {@link Activations#losses()} and replace the logits by scale·∂loss/∂logits, ready for
 * {@link TrainingModel#backward()}.
 */
public interface Objective {

    /**
     * @param inputs  the b·T input ids of the forward pass (a teacher needs them)
     * @param targets the b·T target ids
     * @param scale   the factor of the gradient (1 / positions per optimizer step, so gradients are of the mean)
     * @return the sum of the per-position losses of this micro-batch
     */
    double lossAndGradient(TrainingModel model, int[] inputs, int[] targets, int batch, float scale);

    /** A short name for logs ("cross-entropy", "distillation"). */
    String name();
}
