import io.llmopt.model.LlamaModel;
import io.llmopt.model.ModelWarmUp;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import java.nio.file.Path;

/**
 * HotSpot's tier-2 trap: a small model of the same weight types warms the kernels up in a second thread while MODEL
 * loads, which keeps C2's queue long, so the tiered policy first compiles a big kernel at tier 2 (C1 without profiling,
 * chosen while the C2 queue holds more than Tier3DelayOn tasks per C2 thread). Its tier-3 compile then fails in C1's
 * register allocator ("out of virtual registers"), and from tier 2 the policy only ever asks for tier 3: the kernel
 * stays in C1 code for the life of the JVM. Prints the load, the warm-up, a 16-token prompt and DECODE steps of MODEL.
 * Run by tier-trap.sh against the built CLI jars:
 * java --add-modules jdk.incubator.vector -cp "llmopt-cli/target/llmopt-cli.jar:llmopt-cli/target/lib/*" \
 *     llmopt-bench/stress/TierTrap.java MODEL.gguf SMALL.gguf [DECODE=32]
 */
public class TierTrap {
    public static void main(String[] a) throws Exception {
        if (a.length < 2) {
            System.err.println("usage: TierTrap MODEL.gguf SMALL.gguf [DECODE]");
            System.exit(2);
        }
        int decode = a.length > 2 ? Integer.parseInt(a[2]) : 32;
        long[] warm = new long[1];
        Thread small = Thread.ofPlatform().start(() -> {
            long t0 = System.nanoTime();
            try (LoadedModel s = ModelLoader.load(Path.of(a[1]))) {
                WorkerPool pool = new WorkerPool(2);
                ModelWarmUp.start(new LlamaModel(s.config(), s.weights(), KernelProvider.get(), pool), 32, 32).await();
                pool.shutdown();
            }
            warm[0] = System.nanoTime() - t0;
        });
        long t0 = System.nanoTime();
        LoadedModel m = ModelLoader.load(Path.of(a[0]));
        WorkerPool pool = new WorkerPool(2);
        LlamaModel model = new LlamaModel(m.config(), m.weights(), KernelProvider.get(), pool);
        long loaded = System.nanoTime() - t0;
        small.join();
        var state = model.newState(16 + decode, 16);
        int[] ids = new int[16];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) ((i * 7919L + 11) % m.config().vocabSize());
        }
        long p0 = System.nanoTime();
        float[] logits = model.forward(state, ids, 0, ids.length, 0, false);
        long p1 = System.nanoTime();
        int[] next = new int[1];
        for (int i = 0; i < decode; i++) {
            int best = 0;
            for (int v = 1; v < m.config().vocabSize(); v++) {
                best = logits[v] > logits[best] ? v : best;
            }
            next[0] = best;
            logits = model.forward(state, next, 0, 1, ids.length + i, false);
        }
        long p2 = System.nanoTime();
        System.out.printf("load %.0f ms, small model's warm-up %.0f ms, prompt of 16 %.0f ms, decode %.2f steps/s%n", loaded / 1e6, warm[0] / 1e6,
                (p1 - p0) / 1e6, decode / ((p2 - p1) / 1e9));
        pool.shutdown();
        m.close();
    }
}
