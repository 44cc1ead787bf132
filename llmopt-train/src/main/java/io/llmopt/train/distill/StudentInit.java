package io.llmopt.train.distill;

import io.llmopt.model.LlamaConfig;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.train.ModelParameters;
import io.llmopt.train.ParameterLayout;
import java.util.List;

/**
 * Students made from their teacher: keep every k-th decoder layer (layers 0, k, 2k, …) with the embedding, final norm
 * and output of the teacher (DistilBERT's recipe), and/or keep the most important feed-forward neurons of each layer
 * (structured width pruning: a narrower SwiGLU with the teacher's own rows and columns).
 */
public final class StudentInit {
    private StudentInit() {
    }

    public static ModelParameters everyKthLayer(ModelParameters teacher, int k) {
        LlamaConfig t = teacher.config();
        if (k < 1 || k > t.numLayers()) {
            throw new LlmoptException("--student-from-teacher keeps every k-th layer: k must be in 1.." + t.numLayers() + ", got " + k);
        }
        int layers = (t.numLayers() + k - 1) / k;
        LlamaConfig s = new LlamaConfig(t.architecture(), t.hiddenSize(), t.intermediateSize(), layers, t.numHeads(),
                t.numKvHeads(), t.headDim(), t.vocabSize(), t.rmsNormEps(), t.ropeTheta(), t.ropeDim(), t.ropeLayout(),
                t.ropeScaling(), t.contextLength(), t.tiedEmbeddings(), t.attentionBias(), t.slidingWindow());
        ModelParameters student = new ModelParameters(s, new float[new ParameterLayout(s).size()]);
        List<ParameterLayout.Entry> from = teacher.layout().entries();
        float[] src = teacher.values();
        float[] dst = student.values();
        for (ParameterLayout.Entry e : student.layout().entries()) {
            String name = teacherName(e.name(), k);
            ParameterLayout.Entry f = from.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            System.arraycopy(src, f.offset(), dst, e.offset(), e.size());
        }
        return student;
    }

    /** blk.i.* of the student is blk.(i·k).* of the teacher; other names are the same. */
    private static String teacherName(String studentName, int k) {
        if (!studentName.startsWith("blk.")) {
            return studentName;
        }
        int dot = studentName.indexOf('.', 4);
        int layer = Integer.parseInt(studentName.substring(4, dot));
        return "blk." + (layer * k) + studentName.substring(dot);
    }

    /**
     * The model with {@code ff} of its feed-forward neurons per layer: neuron j's importance is
     * ‖gate_j‖·‖up_j‖·‖down_:,j‖ (a bound on the size of its contribution, up to the activation); the {@code ff} most
     * important (ties: the lower index) are kept in their original order, with their gate/up rows and down column.
     * Every other tensor is copied. A neuron whose down column is zero contributes nothing, so dropping only such
     * neurons leaves the model's output unchanged.
     */
    public static ModelParameters narrowerFfn(ModelParameters teacher, int ff) {
        LlamaConfig t = teacher.config();
        if (ff < 1 || ff > t.intermediateSize()) {
            throw new LlmoptException("--student-ffn must be in 1.." + t.intermediateSize() + " (the teacher's intermediate size), got " + ff);
        }
        LlamaConfig s = new LlamaConfig(t.architecture(), t.hiddenSize(), ff, t.numLayers(), t.numHeads(),
                t.numKvHeads(), t.headDim(), t.vocabSize(), t.rmsNormEps(), t.ropeTheta(), t.ropeDim(), t.ropeLayout(),
                t.ropeScaling(), t.contextLength(), t.tiedEmbeddings(), t.attentionBias(), t.slidingWindow());
        ModelParameters student = new ModelParameters(s, new float[new ParameterLayout(s).size()]);
        float[] src = teacher.values();
        float[] dst = student.values();
        List<ParameterLayout.Entry> from = teacher.layout().entries();
        for (ParameterLayout.Entry e : student.layout().entries()) {
            ParameterLayout.Entry f = from.stream().filter(x -> x.name().equals(e.name())).findFirst().orElseThrow();
            if (f.size() == e.size()) {
                System.arraycopy(src, f.offset(), dst, e.offset(), e.size());
            }
        }
        int d = t.hiddenSize();
        int tff = t.intermediateSize();
        for (int l = 0; l < t.numLayers(); l++) {
            ParameterLayout.Layer tl = teacher.layout().layer(l);
            ParameterLayout.Layer sl = student.layout().layer(l);
            double[] score = new double[tff];
            for (int j = 0; j < tff; j++) {
                double g = 0;
                double u = 0;
                double w = 0;
                for (int i = 0; i < d; i++) {
                    g += sq(src[tl.gate() + j * d + i]);
                    u += sq(src[tl.up() + j * d + i]);
                    w += sq(src[tl.down() + i * tff + j]);
                }
                score[j] = Math.sqrt(g) * Math.sqrt(u) * Math.sqrt(w);
            }
            Integer[] order = new Integer[tff];
            for (int j = 0; j < tff; j++) {
                order[j] = j;
            }
            java.util.Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a]) : Integer.compare(a, b));
            int[] keep = new int[ff];
            for (int j = 0; j < ff; j++) {
                keep[j] = order[j];
            }
            java.util.Arrays.sort(keep);
            for (int j = 0; j < ff; j++) {
                int n = keep[j];
                System.arraycopy(src, tl.gate() + n * d, dst, sl.gate() + j * d, d);
                System.arraycopy(src, tl.up() + n * d, dst, sl.up() + j * d, d);
                for (int i = 0; i < d; i++) {
                    dst[sl.down() + i * ff + j] = src[tl.down() + i * tff + n];
                }
            }
        }
        return student;
    }

    private static double sq(float x) {
        return (double) x * x;
    }
}
