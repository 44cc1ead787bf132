import io.llmopt.model.ForwardProfile;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.paged.KvCacheType;
import io.llmopt.model.paged.PagedForward;
import io.llmopt.model.paged.PagedKvCache;
import io.llmopt.model.paged.SequenceBatch;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.ReadBandwidth;
import io.llmopt.tensor.kernel.WorkerPool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Prefill and decode through the serving path (paged KV cache, blocks of 16 shuffled as a busy server leaves them): a
 * prompt of DEPTH random tokens in chunks of 512, run twice (the second, warm pass is timed and split into the forward
 * pass's stages), then REPS rounds of 64 decode steps, steps/s per round and the stages of the last round, then the
 * read probe (the JVM's memory state). Run by jit-stress.sh as a single-file program against the built CLI jars:
 * java --add-modules jdk.incubator.vector -cp "llmopt-cli/target/llmopt-cli.jar:llmopt-cli/target/lib/*" \
 *     llmopt-bench/stress/PagedDecode.java MODEL.gguf [DEPTH=2048] [REPS=5] [CACHE=F16]
 */
public class PagedDecode {
    public static void main(String[] a) throws Exception {
        if (a.length < 1) {
            System.err.println("usage: PagedDecode MODEL.gguf [DEPTH] [REPS] [F32|F16 cache]");
            System.exit(2);
        }
        int depth = a.length > 1 ? Integer.parseInt(a[1]) : 2048, reps = a.length > 2 ? Integer.parseInt(a[2]) : 5;
        int gen = 64, bs = 16, chunk = 512;
        LoadedModel m = ModelLoader.load(Path.of(a[0]));
        WorkerPool pool = new WorkerPool(2);
        int ctx = depth + gen * reps + bs;
        PagedForward f = new PagedForward(m.config(), m.weights(), KernelProvider.get(), pool, ctx, chunk, 1);
        int blocks = (ctx + bs - 1) / bs;
        PagedKvCache cache = new PagedKvCache(m.config(), blocks, bs, KvCacheType.valueOf(a.length > 3 ? a[3] : "F16"));
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            ids.add(i);
        }
        Collections.shuffle(ids, new Random(3));
        int[] table = ids.stream().mapToInt(Integer::intValue).toArray();
        SplittableRandom r = new SplittableRandom(1);
        int[] toks = new int[ctx];
        for (int i = 0; i < toks.length; i++) {
            toks[i] = r.nextInt(m.config().vocabSize());
        }
        SequenceBatch batch = new SequenceBatch(chunk, 1);
        for (int p = 0; p < depth; p += chunk) { // the cold pass; the timed one below rewrites the same positions
            batch.clear();
            batch.addSequence(table, toks, p, Math.min(chunk, depth - p), p, true);
            f.forward(cache, batch);
        }
        ForwardProfile stages = new ForwardProfile(m.config().numLayers());
        f.setProfile(stages);
        stages.start();
        long t0 = System.nanoTime();
        for (int p = 0; p < depth; p += chunk) {
            batch.clear();
            batch.addSequence(table, toks, p, Math.min(chunk, depth - p), p, true);
            f.forward(cache, batch);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("prompt %d tokens: %.1f tokens/s%n", depth, depth / seconds);
        print(stages, m.config().numLayers(), depth, "prompt ", "ms/token");
        int pos = depth;
        for (int rep = 0; rep < reps; rep++) {
            boolean last = rep == reps - 1;
            f.setProfile(last ? stages : null);
            stages.reset();
            long s = System.nanoTime();
            for (int i = 0; i < gen; i++, pos++) {
                batch.clear();
                batch.addSequence(table, toks, pos, 1, pos, true);
                stages.start();
                f.forward(cache, batch);
            }
            System.out.printf("decode at %d: %.2f steps/s%n", pos, gen / ((System.nanoTime() - s) / 1e9));
        }
        print(stages, m.config().numLayers(), gen, "", "ms/step");
        try (ReadBandwidth probe = new ReadBandwidth(1024)) { // this JVM's memory state (BENCHMARKS, "Faster loads")
            System.out.printf("read probe: %.1f GB/s%n", probe.best(pool, 5));
        }
        pool.shutdown();
    }

    /** Each stage's time over all layers, per token or step. */
    private static void print(ForwardProfile stages, int layers, int per, String prefix, String unit) {
        for (ForwardProfile.Stage st : ForwardProfile.Stage.values()) {
            long ns = 0;
            for (int l = -1; l < layers; l++) {
                ns += stages.nanos(st, l);
            }
            if (ns > 0) {
                System.out.printf("  %s%-12s %8.3f %s%n", prefix, st, ns / 1e6 / per, unit);
            }
        }
    }
}
