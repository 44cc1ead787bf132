package io.llmopt.model;

import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.Kernels;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights a forward pass runs on: every matrix passed once through {@link Kernels#prepare} (which may
 * attach a faster execution form of the same values, e.g. lane-packed Q4_0), the matrices in parallel. The
 * token embedding is only looked up row by row and stays as it is (unless it is also the output matrix).
 */
public final class PreparedWeights {
    private PreparedWeights() {
    }

    public static LlamaWeights of(LlamaWeights w, Kernels kernels) {
        List<Tensor> all = new ArrayList<>();
        for (LayerWeights l : w.layers()) {
            all.addAll(List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down()));
        }
        all.add(w.output());
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        List<Tensor> distinct = all.stream().filter(t -> seen.putIfAbsent(t, Boolean.TRUE) == null).toList();
        List<Tensor> done = distinct.parallelStream().map(kernels::prepare).toList();
        Map<Tensor, Tensor> map = new IdentityHashMap<>();
        boolean changed = false;
        for (int i = 0; i < distinct.size(); i++) {
            map.put(distinct.get(i), done.get(i));
            changed |= done.get(i) != distinct.get(i);
        }
        if (!changed) {
            return w;
        }
        List<LayerWeights> layers = new ArrayList<>();
        for (LayerWeights l : w.layers()) {
            layers.add(new LayerWeights(l.attnNorm(), map.get(l.wq()), map.get(l.wk()), map.get(l.wv()), map.get(l.wo()),
                    l.bq(), l.bk(), l.bv(), l.ffnNorm(), map.get(l.gate()), map.get(l.up()), map.get(l.down())));
        }
        return new LlamaWeights(w.tokenEmbedding(), layers, w.outputNorm(), map.get(w.output()));
    }
}
