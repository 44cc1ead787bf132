package io.llmopt.train.optim;

import io.llmopt.train.ParameterLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The flat parameter array cut into fixed work items of at most {@value #MAX} values that never straddle two
 * tensors, each marked with whether its tensor gets weight decay. Fixed cuts make per-item partial sums, and
 * hence every reduction over parameters, independent of the thread count.
 */
final class ParameterSegments {
    static final int MAX = 1 << 15;

    final int[] from;
    final int[] to;
    final boolean[] decay;

    ParameterSegments(ParameterLayout layout) {
        List<int[]> cuts = new ArrayList<>();
        for (ParameterLayout.Entry e : layout.entries()) {
            for (int s = e.offset(), end = e.offset() + e.size(); s < end; s += MAX) {
                cuts.add(new int[] {s, Math.min(end, s + MAX), e.matrix() ? 1 : 0});
            }
        }
        from = new int[cuts.size()];
        to = new int[cuts.size()];
        decay = new boolean[cuts.size()];
        for (int i = 0; i < cuts.size(); i++) {
            from[i] = cuts.get(i)[0];
            to[i] = cuts.get(i)[1];
            decay[i] = cuts.get(i)[2] == 1;
        }
    }

    int count() {
        return from.length;
    }
}
