package io.llmopt.train.ops;

import static io.llmopt.train.testing.FiniteDifference.gradient;
import static io.llmopt.train.testing.FiniteDifference.project;
import static io.llmopt.train.testing.FiniteDifference.randomFloats;
import static io.llmopt.train.testing.FiniteDifference.toDouble;
import static io.llmopt.train.testing.GradientAssert.check;
import static io.llmopt.train.testing.GradientAssert.maxAbs;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.testing.ReferenceOps;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every op's backward against central finite differences of its float64 reference (ReferenceOps), on random
 * inputs of awkward sizes. Each check projects the op's output on a random upstream gradient dout, so the
 * finite difference of Σ dout ⊙ f(x) is exactly what backward computes.
 */
class OpGradientTest {
    /** Analytic float32 gradient vs float64 finite differences, relative to the largest gradient element. */
    static final double GRAD_TOLERANCE = 1e-5;
    /** Float32 forward vs float64 reference, max abs, for O(1) inputs. */
    static final double FORWARD_TOLERANCE = 1e-5;

    private static final WorkerPool POOL = new WorkerPool(2);

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    @Test
    void matmulWithBias() {
        Random rng = new Random(1);
        int rows = 7;
        int c = 13;
        int oc = 37;
        float[] inp = randomFloats(rng, rows * c, 1);
        float[] w = randomFloats(rng, oc * c, 0.3);
        float[] bias = randomFloats(rng, oc, 0.3);
        float[] dout = randomFloats(rng, rows * oc, 1);
        MatMulOp op = new MatMulOp(Gemm.get(), POOL, oc * c);
        float[] out = new float[rows * oc];
        op.forward(out, 0, inp, 0, w, 0, bias, 0, rows, c, oc);
        assertThat(maxAbs(out, ReferenceOps.matmul(toDouble(inp), toDouble(w), toDouble(bias), rows, c, oc))).isLessThan(FORWARD_TOLERANCE);
        float[] dinp = new float[inp.length];
        float[] dw = new float[w.length];
        float[] db = new float[bias.length];
        op.backward(dinp, 0, dw, 0, db, 0, dout, 0, inp, 0, w, 0, rows, c, oc);
        double[] x = toDouble(inp);
        double[] ww = toDouble(w);
        double[] bb = toDouble(bias);
        check("matmul dinp", dinp, gradient(x, v -> project(ReferenceOps.matmul(v, ww, bb, rows, c, oc), dout)), GRAD_TOLERANCE);
        check("matmul dweight", dw, gradient(ww, v -> project(ReferenceOps.matmul(x, v, bb, rows, c, oc), dout)), GRAD_TOLERANCE);
        check("matmul dbias", db, gradient(bb, v -> project(ReferenceOps.matmul(x, ww, v, rows, c, oc), dout)), GRAD_TOLERANCE);
    }

    @Test
    void rmsnorm() {
        Random rng = new Random(2);
        int rows = 5;
        int c = 19;
        float eps = 1e-5f;
        float[] x = randomFloats(rng, rows * c, 1);
        float[] w = randomFloats(rng, c, 1);
        float[] dout = randomFloats(rng, rows * c, 1);
        float[] out = new float[x.length];
        float[] rstd = new float[rows];
        RmsNormOp.forward(out, rstd, x, w, 0, eps, rows, c, POOL);
        assertThat(maxAbs(out, ReferenceOps.rmsnorm(toDouble(x), toDouble(w), eps, rows, c))).isLessThan(FORWARD_TOLERANCE);
        float[] dx = new float[x.length];
        float[] dw = new float[w.length];
        RmsNormOp.backward(dx, dw, 0, dout, x, w, 0, rstd, rows, c, POOL);
        double[] xd = toDouble(x);
        double[] wd = toDouble(w);
        check("rmsnorm dinp", dx, gradient(xd, v -> project(ReferenceOps.rmsnorm(v, wd, eps, rows, c), dout)), GRAD_TOLERANCE);
        check("rmsnorm dweight", dw, gradient(wd, v -> project(ReferenceOps.rmsnorm(xd, v, eps, rows, c), dout)), GRAD_TOLERANCE);
    }

    @Test
    void swiglu() {
        Random rng = new Random(3);
        int n = 41;
        float[] gate = randomFloats(rng, n, 2);
        float[] up = randomFloats(rng, n, 1);
        float[] dout = randomFloats(rng, n, 1);
        float[] out = new float[n];
        SwiGluOp.forward(out, gate, up, n, POOL);
        assertThat(maxAbs(out, ReferenceOps.swiglu(toDouble(gate), toDouble(up)))).isLessThan(FORWARD_TOLERANCE);
        float[] dg = new float[n];
        float[] du = new float[n];
        SwiGluOp.backward(dg, du, dout, gate, up, n, POOL);
        double[] g = toDouble(gate);
        double[] u = toDouble(up);
        check("swiglu dgate", dg, gradient(g, v -> project(ReferenceOps.swiglu(v, u), dout)), GRAD_TOLERANCE);
        check("swiglu dup", du, gradient(u, v -> project(ReferenceOps.swiglu(g, v), dout)), GRAD_TOLERANCE);
    }

    @Test
    void embedding() {
        Random rng = new Random(4);
        int vocab = 11;
        int c = 6;
        int[] tokens = {3, 0, 3, 10, 7, 3};
        float[] wte = randomFloats(rng, vocab * c, 1);
        float[] dout = randomFloats(rng, tokens.length * c, 1);
        float[] out = new float[tokens.length * c];
        EmbeddingOp.forward(out, tokens, 0, wte, 0, tokens.length, c);
        float[] dwte = new float[wte.length];
        EmbeddingOp.backward(dwte, 0, dout, tokens, 0, tokens.length, c);
        check("embedding dwte", dwte, gradient(toDouble(wte), v -> {
            double s = 0;
            for (int r = 0; r < tokens.length; r++) {
                for (int i = 0; i < c; i++) {
                    s += v[tokens[r] * c + i] * dout[r * c + i];
                }
            }
            return s;
        }), GRAD_TOLERANCE);
    }

    @ParameterizedTest
    @EnumSource(RopeLayout.class)
    void rope(RopeLayout layout) {
        for (int ropeDim : new int[] {8, 4}) {
            LlamaConfig c = config(16, 2, 1, 8, ropeDim, layout, 0);
            int seqLen = 5;
            int rows = 2 * seqLen;
            int heads = 2;
            Random rng = new Random(5);
            float[] x = randomFloats(rng, rows * heads * 8, 1);
            float[] dout = randomFloats(rng, x.length, 1);
            RopeOp op = new RopeOp(c, seqLen);
            float[] y = x.clone();
            op.forward(y, rows, heads, POOL);
            double[] xd = toDouble(x);
            assertThat(maxAbs(y, ReferenceOps.rope(xd, rows, heads, 8, ropeDim, 10000, layout, seqLen))).isLessThan(FORWARD_TOLERANCE);
            float[] dx = dout.clone();
            op.backward(dx, rows, heads, POOL);
            check("rope " + layout + " ropeDim " + ropeDim, dx,
                    gradient(xd, v -> project(ReferenceOps.rope(v, rows, heads, 8, ropeDim, 10000, layout, seqLen), dout)), GRAD_TOLERANCE);
        }
    }

    @Test
    void groupedQueryCausalAttention() {
        for (int window : new int[] {0, 3}) {
            int heads = 4;
            int kvHeads = 2;
            int hd = 5;
            int batch = 2;
            int seqLen = 6;
            LlamaConfig c = config(heads * hd, heads, kvHeads, hd, hd - 1, RopeLayout.INTERLEAVED, window);
            Random rng = new Random(6);
            int rows = batch * seqLen;
            float[] q = randomFloats(rng, rows * heads * hd, 1);
            float[] k = randomFloats(rng, rows * kvHeads * hd, 1);
            float[] v = randomFloats(rng, rows * kvHeads * hd, 1);
            float[] dout = randomFloats(rng, q.length, 1);
            AttentionOp op = new AttentionOp(c, seqLen, Gemm.get(), POOL.threads());
            float[] out = new float[q.length];
            float[] probs = new float[batch * heads * seqLen * seqLen];
            op.forward(out, probs, q, k, v, batch, POOL);
            double[] qd = toDouble(q);
            double[] kd = toDouble(k);
            double[] vd = toDouble(v);
            assertThat(maxAbs(out, ReferenceOps.attention(qd, kd, vd, batch, seqLen, heads, kvHeads, hd, window))).isLessThan(FORWARD_TOLERANCE);
            float[] dq = new float[q.length];
            float[] dk = new float[k.length];
            float[] dv = new float[v.length];
            op.backward(dq, dk, dv, dout, probs, q, k, v, batch, POOL);
            String w = " window " + window;
            check("attention dq" + w, dq, gradient(qd, x -> project(ReferenceOps.attention(x, kd, vd, batch, seqLen, heads, kvHeads, hd, window), dout)), GRAD_TOLERANCE);
            check("attention dk" + w, dk, gradient(kd, x -> project(ReferenceOps.attention(qd, x, vd, batch, seqLen, heads, kvHeads, hd, window), dout)), GRAD_TOLERANCE);
            check("attention dv" + w, dv, gradient(vd, x -> project(ReferenceOps.attention(qd, kd, x, batch, seqLen, heads, kvHeads, hd, window), dout)), GRAD_TOLERANCE);
        }
    }

    /**
     * A sequence longer than the attention's query block (64) and GQA groups of 3: forward against the float64
     * reference, backward by directional derivatives (random directions δ: Σ grad·δ against the central difference
     * of Σ dout ⊙ f along δ), which costs two reference evaluations per direction.
     */
    @Test
    void attentionOverSeveralQueryBlocks() {
        int heads = 6;
        int kvHeads = 2;
        int hd = 8;
        int batch = 2;
        int seqLen = 150;
        for (int window : new int[] {0, 70}) {
            LlamaConfig c = config(heads * hd, heads, kvHeads, hd, hd, RopeLayout.INTERLEAVED, window);
            Random rng = new Random(16);
            int rows = batch * seqLen;
            float[] q = randomFloats(rng, rows * heads * hd, 1);
            float[] k = randomFloats(rng, rows * kvHeads * hd, 1);
            float[] v = randomFloats(rng, rows * kvHeads * hd, 1);
            float[] dout = randomFloats(rng, q.length, 1);
            AttentionOp op = new AttentionOp(c, seqLen, Gemm.get(), POOL.threads());
            float[] out = new float[q.length];
            float[] probs = new float[batch * heads * seqLen * seqLen];
            op.forward(out, probs, q, k, v, batch, POOL);
            double[] qd = toDouble(q);
            double[] kd = toDouble(k);
            double[] vd = toDouble(v);
            assertThat(maxAbs(out, ReferenceOps.attention(qd, kd, vd, batch, seqLen, heads, kvHeads, hd, window))).isLessThan(FORWARD_TOLERANCE);
            float[] dq = new float[q.length];
            float[] dk = new float[k.length];
            float[] dv = new float[v.length];
            op.backward(dq, dk, dv, dout, probs, q, k, v, batch, POOL);
            double[][] inputs = {qd, kd, vd};
            float[][] grads = {dq, dk, dv};
            String[] names = {"dq", "dk", "dv"};
            for (int which = 0; which < 3; which++) {
                for (int dir = 0; dir < 3; dir++) {
                    double[] x = inputs[which];
                    double[] delta = new double[x.length];
                    double analytic = 0;
                    for (int i = 0; i < x.length; i++) {
                        delta[i] = rng.nextGaussian();
                        analytic += grads[which][i] * delta[i];
                    }
                    double h = 1e-5;
                    double[] plus = x.clone();
                    double[] minus = x.clone();
                    for (int i = 0; i < x.length; i++) {
                        plus[i] += h * delta[i];
                        minus[i] -= h * delta[i];
                    }
                    double fp = eval(which, plus, qd, kd, vd, batch, seqLen, heads, kvHeads, hd, window, dout);
                    double fm = eval(which, minus, qd, kd, vd, batch, seqLen, heads, kvHeads, hd, window, dout);
                    double numeric = (fp - fm) / (2 * h);
                    double err = Math.abs(analytic - numeric) / Math.max(1e-9, Math.abs(numeric));
                    System.out.printf("gradient check attention T=%d window %d %s along a random direction: relative error %.2e%n",
                            seqLen, window, names[which], err);
                    assertThat(err).isLessThan(GRAD_TOLERANCE);
                }
            }
        }
    }

    private static double eval(int which, double[] x, double[] q, double[] k, double[] v, int batch, int seqLen, int heads,
            int kvHeads, int hd, int window, float[] dout) {
        return project(ReferenceOps.attention(which == 0 ? x : q, which == 1 ? x : k, which == 2 ? x : v, batch, seqLen, heads,
                kvHeads, hd, window), dout);
    }

    @Test
    void crossEntropy() {
        Random rng = new Random(7);
        int rows = 4;
        int v = 23;
        float[] logits = randomFloats(rng, rows * v, 3);
        int[] targets = {0, 22, 5, 5};
        float[] losses = new float[rows];
        CrossEntropyOp.forward(losses, logits, targets, 0, rows, v, POOL);
        double[] ld = toDouble(logits);
        double sum = 0;
        for (float l : losses) {
            sum += l;
        }
        assertThat(sum).isCloseTo(ReferenceOps.crossEntropy(ld, targets, rows, v), org.assertj.core.data.Offset.offset(FORWARD_TOLERANCE));
        float scale = 0.25f;
        float[] dlogits = logits.clone();
        CrossEntropyOp.backward(dlogits, dlogits, targets, 0, scale, rows, v, POOL);
        check("cross-entropy dlogits", dlogits, gradient(ld, x -> scale * ReferenceOps.crossEntropy(x, targets, rows, v)), GRAD_TOLERANCE);
    }

    @Test
    void distillationLoss() {
        Random rng = new Random(8);
        int rows = 3;
        int v = 17;
        float[] logits = randomFloats(rng, rows * v, 2);
        float[] teacher = randomFloats(rng, rows * v, 2);
        int[] targets = {4, 16, 0};
        double[] ld = toDouble(logits);
        double[] td = toDouble(teacher);
        for (boolean reverse : new boolean[] {false, true}) {
            for (double[] ta : new double[][] {{1, 1}, {2, 0.5}, {4, 0.9}}) {
                double tau = ta[0];
                double alpha = ta[1];
                DistillationLossOp op = new DistillationLossOp(tau, alpha, reverse);
                float[] losses = new float[rows];
                op.forward(losses, new float[rows], new float[rows], logits, teacher, targets, 0, rows, v, POOL);
                double sum = 0;
                for (float l : losses) {
                    sum += l;
                }
                assertThat(sum).isCloseTo(ReferenceOps.distillation(ld, td, targets, rows, v, tau, alpha, reverse),
                        org.assertj.core.data.Offset.offset(FORWARD_TOLERANCE));
                float scale = 0.5f;
                float[] dlogits = logits.clone();
                op.backward(dlogits, dlogits, teacher, targets, 0, scale, rows, v, POOL);
                check("distillation " + (reverse ? "reverse" : "forward") + " KL τ=" + tau + " α=" + alpha, dlogits,
                        gradient(ld, x -> scale * ReferenceOps.distillation(x, td, targets, rows, v, tau, alpha, reverse)), GRAD_TOLERANCE);
            }
        }
    }

    static LlamaConfig config(int dim, int heads, int kvHeads, int headDim, int ropeDim, RopeLayout layout, int window) {
        return new LlamaConfig("llama", dim, 8, 1, heads, kvHeads, headDim, 16, 1e-5f, 10000, ropeDim, layout,
                RopeScaling.NONE, 64, true, false, window);
    }
}
