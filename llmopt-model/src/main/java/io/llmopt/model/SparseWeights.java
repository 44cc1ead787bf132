package io.llmopt.model;

import io.llmopt.tensor.BitmapRows;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Gives the weight matrices of a (pruned) model their bitmap-sparse execution form ({@link BitmapRows})
 * where it is worth it: an F32/F16 projection matrix whose bitmap form takes at most {@link #AUTO_MAX_RATIO}
 * of its dense bytes. The token embedding (looked up by row, never multiplied) keeps its dense form; an
 * untied output matrix is treated like the projections. Outputs are bit-identical either way: the sparse
 * kernels reproduce the dense kernels' arithmetic (see BitmapGemv), so this only changes speed and memory.
 */
public final class SparseWeights {
    /**
     * Bitmap bytes / dense bytes at or below which {@code auto} repacks a matrix: F16 from 41 % zeros, F32 from
     * 38 %. The sparse kernels read fewer bytes but do more work per column than the dense ones, so the gain
     * starts well below the byte ratio: at 30 % zeros the F32 GEMV is already 1.2× faster, the F16 one still
     * slower (docs/PRUNING.md "Sparse execution"); at the 50 % of a usual pruned model both gain.
     */
    public static final double AUTO_MAX_RATIO = 0.65;

    /** What a load does with pruned weights: keep them dense, or repack those that pass the threshold. */
    public enum Mode {
        OFF, AUTO;

        public static Mode parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "off" -> OFF;
                case "auto" -> AUTO;
                default -> throw new LlmoptException("--sparse must be auto or off, got '" + s + "'");
            };
        }
    }

    /** One matrix given the bitmap form: its zero fraction and its bytes before and after. */
    public record Repacked(String name, double sparsity, long denseBytes, long sparseBytes) {
    }

    /** The weights to run, and what was repacked (empty when nothing passed the threshold). */
    public record Result(LlamaWeights weights, List<Repacked> repacked) {
        public Result {
            repacked = List.copyOf(repacked);
        }

        public long denseBytes() {
            return repacked.stream().mapToLong(Repacked::denseBytes).sum();
        }

        public long sparseBytes() {
            return repacked.stream().mapToLong(Repacked::sparseBytes).sum();
        }

        /**
         * One line per group of matrices that differ only by layer number ("blk.*.ffn_up.weight: 22 x, 50.0 %
         * zeros"), in first-seen order.
         */
        public List<String> groups() {
            Map<String, double[]> g = new LinkedHashMap<>();
            for (Repacked r : repacked) {
                double[] a = g.computeIfAbsent(r.name().replaceAll("\\d+", "*"), k -> new double[2]);
                a[0]++;
                a[1] += r.sparsity();
            }
            List<String> lines = new ArrayList<>();
            g.forEach((name, a) -> lines.add(String.format(Locale.ROOT, "%s: %d x, %.1f %% zeros", name, (int) a[0], 100 * a[1] / a[0])));
            return lines;
        }

        /** One line for the log: how many matrices, and the bytes the kernels now stream instead. */
        public String summary() {
            if (repacked.isEmpty()) {
                return "sparse: no weight matrix is sparse enough for the bitmap form (needs bytes <= "
                        + AUTO_MAX_RATIO + " x dense); running dense";
            }
            return String.format(Locale.ROOT, "sparse: %d matrices in bitmap form, %.1f MB -> %.1f MB (%.2fx fewer bytes per token)",
                    repacked.size(), denseBytes() / 1e6, sparseBytes() / 1e6, (double) denseBytes() / sparseBytes());
        }
    }

    private SparseWeights() {
    }

    public static Result apply(LlamaWeights w, Mode mode) {
        return apply(w, mode == Mode.AUTO ? AUTO_MAX_RATIO : -1);
    }

    /**
     * Repacks every candidate matrix whose bitmap bytes are at most {@code maxRatio} of its dense bytes. The
     * matrices are counted and encoded in parallel (a one-off at load time: ≈ 1 s per GB of weights and core).
     */
    public static Result apply(LlamaWeights w, double maxRatio) {
        if (maxRatio < 0) {
            return new Result(w, List.of());
        }
        List<Tensor> all = new ArrayList<>();
        for (LayerWeights l : w.layers()) {
            all.addAll(List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down()));
        }
        if (w.output() != w.tokenEmbedding()) {
            all.add(w.output());
        }
        List<Tensor> distinct = all.stream().filter(distinctBy(new IdentityHashMap<>())).toList();
        List<Tensor> repacked = distinct.parallelStream().map(t -> repack(t, maxRatio)).toList();
        Map<Tensor, Tensor> map = new IdentityHashMap<>();
        List<Repacked> done = new ArrayList<>();
        for (int i = 0; i < distinct.size(); i++) {
            Tensor t = distinct.get(i), r = repacked.get(i);
            map.put(t, r);
            if (r != t) {
                done.add(new Repacked(t.name(), r.sparse().sparsity(), t.byteSize(), r.sparse().byteSize()));
            }
        }
        List<LayerWeights> layers = new ArrayList<>();
        for (LayerWeights l : w.layers()) {
            layers.add(new LayerWeights(l.attnNorm(), map.get(l.wq()), map.get(l.wk()), map.get(l.wv()), map.get(l.wo()),
                    l.bq(), l.bk(), l.bv(), l.ffnNorm(), map.get(l.gate()), map.get(l.up()), map.get(l.down())));
        }
        Tensor output = map.getOrDefault(w.output(), w.output());
        return new Result(new LlamaWeights(w.tokenEmbedding(), layers, w.outputNorm(), output), done);
    }

    private static java.util.function.Predicate<Tensor> distinctBy(Map<Tensor, Boolean> seen) {
        return t -> seen.putIfAbsent(t, Boolean.TRUE) == null;
    }

    private static Tensor repack(Tensor t, double maxRatio) {
        if (t.sparse() == null && t.rank() == 2 && BitmapRows.supports(t.type()) && t.elementCount() > 0) {
            long nnz = BitmapRows.nonZeros(t);
            if (BitmapRows.byteSize(t.type(), t.dim(0), t.dim(1), nnz) <= maxRatio * t.byteSize()) {
                return t.withSparse(BitmapRows.encode(t));
            }
        }
        return t;
    }
}
