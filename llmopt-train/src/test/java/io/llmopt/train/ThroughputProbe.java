package io.llmopt.train;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.optim.AdamW;
import java.util.SplittableRandom;

/**
 * Training throughput, run by hand (not a test: performance is never asserted):
 * {@code java -cp … io.llmopt.train.ThroughputProbe [dim hidden layers heads kvHeads vocab batch seqLen threads steps]}.
 * Defaults: the shape of ../shared's ref-tinystories (dim 256, hidden 768, 5 layers, 8/4 heads, vocab 512),
 * batch 16 × 256 tokens, all cores. Prints forward, backward and optimizer time per step and tokens/s.
 */
public final class ThroughputProbe {
    private ThroughputProbe() {
    }

    public static void main(String[] args) {
        int[] v = {256, 768, 5, 8, 4, 512, 16, 256, Runtime.getRuntime().availableProcessors(), 6};
        for (int i = 0; i < args.length; i++) {
            v[i] = Integer.parseInt(args[i]);
        }
        LlamaConfig c = new LlamaConfig("llama", v[0], v[1], v[2], v[3], v[4], v[0] / v[3], v[5], 1e-5f, 10000, v[0] / v[3],
                RopeLayout.INTERLEAVED, RopeScaling.NONE, v[7], true, false, 0);
        int batch = v[6];
        int seqLen = v[7];
        WorkerPool pool = new WorkerPool(v[8]);
        ModelParameters p = ModelParameters.random(c, 1);
        TrainingModel m = new TrainingModel(p, batch, seqLen, pool);
        CrossEntropyObjective ce = new CrossEntropyObjective(pool);
        AdamW opt = new AdamW(p.layout(), AdamW.Settings.DEFAULT);
        int[] in = new int[batch * seqLen];
        int[] out = new int[batch * seqLen];
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < in.length; i++) {
            in[i] = rng.nextInt(c.vocabSize());
            out[i] = rng.nextInt(c.vocabSize());
        }
        System.out.printf("config dim %d hidden %d layers %d heads %d/%d vocab %d, %,d parameters, batch %d x %d, %d threads, activations %.0f MB%n",
                v[0], v[1], v[2], v[3], v[4], v[5], p.values().length, batch, seqLen, v[8],
                Activations.bytes(c, batch, seqLen) / 1e6);
        double fwd = 0;
        double bwd = 0;
        double upd = 0;
        int measured = 0;
        for (int s = 0; s < v[9]; s++) {
            long t0 = System.nanoTime();
            m.zeroGradients();
            m.forward(in, batch);
            ce.lossAndGradient(m, in, out, batch, 1f / in.length);
            long t1 = System.nanoTime();
            m.backward();
            long t2 = System.nanoTime();
            opt.step(p.values(), m.gradients(), 1e-4, pool);
            long t3 = System.nanoTime();
            System.out.printf("step %d: forward %.0f ms, backward %.0f ms, AdamW %.0f ms, %.0f tokens/s%n", s,
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, in.length / ((t3 - t0) / 1e9));
            if (s >= 2) { // warm-up: JIT
                fwd += (t1 - t0) / 1e9;
                bwd += (t2 - t1) / 1e9;
                upd += (t3 - t2) / 1e9;
                measured++;
            }
        }
        double per = (fwd + bwd + upd) / measured;
        System.out.printf("mean of %d steps after 2 warm-up: forward %.0f ms, backward %.0f ms, AdamW %.0f ms -> %.0f tokens/s (forward+backward+update)%n",
                measured, 1e3 * fwd / measured, 1e3 * bwd / measured, 1e3 * upd / measured, in.length / per);
        pool.shutdown();
    }
}
