package io.llmopt.train.distill;

import io.llmopt.model.LlamaConfig;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.train.ModelParameters;
import io.llmopt.train.ParameterLayout;
import java.util.List;

/**
 * Students made from their teacher (DistilBERT's recipe): keep every k-th decoder layer (layers 0, k, 2k, …) with
 * the embedding, final norm and output of the teacher.
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
}
