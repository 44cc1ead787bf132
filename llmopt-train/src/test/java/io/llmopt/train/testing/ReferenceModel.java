package io.llmopt.train.testing;

import io.llmopt.model.LlamaConfig;
import io.llmopt.train.ParameterLayout;
import java.util.Arrays;

/**
 * The whole Llama forward pass and mean cross-entropy in float64, composed from {@link ReferenceOps}, over the
 * flat parameter layout. Finite differences of {@link #loss} are the expected parameter gradients.
 */
public final class ReferenceModel {
    private final LlamaConfig c;
    private final ParameterLayout layout;
    private final int seqLen;

    public ReferenceModel(LlamaConfig c, int seqLen) {
        this.c = c;
        this.layout = new ParameterLayout(c);
        this.seqLen = seqLen;
    }

    /** Logits [b·T][V] of b sequences. */
    public double[] logits(double[] p, int[] inputs, int batch) {
        int bt = batch * seqLen;
        int d = c.hiddenSize();
        int qd = c.queryDim();
        int kvd = c.kvDim();
        int ff = c.intermediateSize();
        double[] x = new double[bt * d];
        for (int r = 0; r < bt; r++) {
            System.arraycopy(p, layout.tokenEmbedding() + inputs[r] * d, x, r * d, d);
        }
        for (int l = 0; l < c.numLayers(); l++) {
            ParameterLayout.Layer o = layout.layer(l);
            double[] ln1 = ReferenceOps.rmsnorm(x, slice(p, o.attnNorm(), d), c.rmsNormEps(), bt, d);
            boolean bias = c.attentionBias();
            double[] q = ReferenceOps.matmul(ln1, slice(p, o.wq(), qd * d), bias ? slice(p, o.bq(), qd) : null, bt, d, qd);
            double[] k = ReferenceOps.matmul(ln1, slice(p, o.wk(), kvd * d), bias ? slice(p, o.bk(), kvd) : null, bt, d, kvd);
            double[] v = ReferenceOps.matmul(ln1, slice(p, o.wv(), kvd * d), bias ? slice(p, o.bv(), kvd) : null, bt, d, kvd);
            q = ReferenceOps.rope(q, bt, c.numHeads(), c.headDim(), c.ropeDim(), c.ropeTheta(), c.ropeLayout(), seqLen);
            k = ReferenceOps.rope(k, bt, c.numKvHeads(), c.headDim(), c.ropeDim(), c.ropeTheta(), c.ropeLayout(), seqLen);
            double[] att = ReferenceOps.attention(q, k, v, batch, seqLen, c.numHeads(), c.numKvHeads(), c.headDim(), c.slidingWindow());
            add(x, ReferenceOps.matmul(att, slice(p, o.wo(), d * qd), null, bt, qd, d));
            double[] ln2 = ReferenceOps.rmsnorm(x, slice(p, o.ffnNorm(), d), c.rmsNormEps(), bt, d);
            double[] gate = ReferenceOps.matmul(ln2, slice(p, o.gate(), ff * d), null, bt, d, ff);
            double[] up = ReferenceOps.matmul(ln2, slice(p, o.up(), ff * d), null, bt, d, ff);
            add(x, ReferenceOps.matmul(ReferenceOps.swiglu(gate, up), slice(p, o.down(), d * ff), null, bt, ff, d));
        }
        double[] lnf = ReferenceOps.rmsnorm(x, slice(p, layout.outputNorm(), d), c.rmsNormEps(), bt, d);
        return ReferenceOps.matmul(lnf, slice(p, layout.output(), c.vocabSize() * d), null, bt, d, c.vocabSize());
    }

    /** Mean cross-entropy of the targets. */
    public double loss(double[] p, int[] inputs, int[] targets, int batch) {
        int bt = batch * seqLen;
        return ReferenceOps.crossEntropy(logits(p, inputs, batch), targets, bt, c.vocabSize()) / bt;
    }

    private static double[] slice(double[] p, int off, int n) {
        return Arrays.copyOfRange(p, off, off + n);
    }

    private static void add(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }
}
