package io.llmopt.train.distill;

import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.ModelParameters;
import io.llmopt.train.TrainingModel;

/** A model whose next-token logits a student learns from. */
public interface Teacher {

    LlamaConfig config();

    /** Writes the logits [b·T][V] of b sequences of T tokens (inputs [b][T]) to {@code dst}. */
    void logits(int[] inputs, int batch, float[] dst);

    /**
     * The inference model, one sequence at a time: any weight type, quantized included, computed exactly as
     * {@code llmopt generate} would.
     */
    static Teacher of(LlamaModel model, int seqLen) {
        ForwardState state = model.newState(seqLen, seqLen);
        int vocab = model.config().vocabSize();
        return new Teacher() {
            @Override
            public LlamaConfig config() {
                return model.config();
            }

            @Override
            public void logits(int[] inputs, int batch, float[] dst) {
                for (int b = 0; b < batch; b++) {
                    float[] l = model.forward(state, inputs, b * seqLen, seqLen, 0, true);
                    System.arraycopy(l, 0, dst, b * seqLen * vocab, seqLen * vocab);
                }
            }
        };
    }

    /**
     * A float32 copy run by the training forward pass on whole batches: faster on CPUs than the inference path for
     * batched windows, at the cost of 4 bytes per weight and the teacher's activations; quantized weights are
     * dequantized, so the logits differ from the quantized model's by its rounding of activations, if any.
     */
    static Teacher float32(ModelParameters params, int maxBatch, int seqLen, WorkerPool pool) {
        TrainingModel model = new TrainingModel(params, maxBatch, seqLen, pool);
        int vocab = params.config().vocabSize();
        return new Teacher() {
            @Override
            public LlamaConfig config() {
                return params.config();
            }

            @Override
            public void logits(int[] inputs, int batch, float[] dst) {
                System.arraycopy(model.forward(inputs, batch), 0, dst, 0, batch * seqLen * vocab);
            }
        };
    }
}
