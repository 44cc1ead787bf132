package io.llmopt.compress.quantize;

import io.llmopt.formats.gguf.GgufFile;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Tensor-by-tensor comparison of two GGUF files: names, order, shapes, types, bytes, and metadata. */
record GgufComparison(List<String> ourOrder, List<String> theirOrder, Map<String, int[]> identicalPerType,
        List<String> typeDifferences, List<String> byteDifferences, List<String> metadataDifferences) {

    static GgufComparison of(Path ours, Path theirs, String... ignoredKeys) {
        try (GgufFile a = GgufFile.open(ours); GgufFile b = GgufFile.open(theirs)) {
            List<String> orderA = a.tensors().stream().map(Tensor::name).toList();
            List<String> orderB = b.tensors().stream().map(Tensor::name).toList();
            Map<String, int[]> perType = new TreeMap<>();
            List<String> types = new ArrayList<>();
            List<String> bytes = new ArrayList<>();
            for (Tensor tb : b.tensors()) {
                Tensor ta = a.findTensor(tb.name()).orElse(null);
                if (ta == null) {
                    types.add(tb.name() + ": missing");
                    continue;
                }
                if (ta.type() != tb.type() || !Arrays.equals(ta.shape(), tb.shape())) {
                    types.add(tb.name() + ": ours " + ta + ", theirs " + tb);
                    continue;
                }
                int[] count = perType.computeIfAbsent(tb.type().name(), k -> new int[2]);
                count[1]++;
                long mismatch = ta.data().mismatch(tb.data());
                if (mismatch == -1) {
                    count[0]++;
                } else {
                    bytes.add(tb.name() + " " + tb.type() + ": first different byte " + mismatch + " of " + tb.byteSize()
                            + ", max |Δ| of decoded values " + maxDifference(ta, tb));
                }
            }
            List<String> meta = new ArrayList<>();
            List<String> ignored = List.of(ignoredKeys);
            var ma = a.metadata().asMap();
            var mb = b.metadata().asMap();
            List<String> keysA = ma.keySet().stream().filter(k -> !ignored.contains(k)).toList();
            List<String> keysB = mb.keySet().stream().filter(k -> !ignored.contains(k)).toList();
            if (!keysA.equals(keysB)) {
                meta.add("keys: ours " + keysA + ", theirs " + keysB);
            }
            for (String k : keysB) {
                if (!Objects.equals(ma.get(k), mb.get(k))) {
                    meta.add(k + ": ours " + ma.get(k) + ", theirs " + mb.get(k));
                }
            }
            return new GgufComparison(orderA, orderB, perType, types, bytes, meta);
        }
    }

    private static double maxDifference(Tensor a, Tensor b) {
        if (a.type() == GgmlType.F32 && a.elementCount() > 50_000_000) {
            return Double.NaN;
        }
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs((double) x[i] - y[i]));
        }
        return max;
    }

    boolean tensorsIdentical() {
        return ourOrder.equals(theirOrder) && typeDifferences.isEmpty() && byteDifferences.isEmpty();
    }

    String summary() {
        StringBuilder s = new StringBuilder();
        identicalPerType.forEach((t, c) -> s.append(t).append(' ').append(c[0]).append('/').append(c[1]).append("  "));
        return s.toString().trim();
    }

    static boolean sameBytes(MemorySegment a, MemorySegment b) {
        return a.mismatch(b) == -1;
    }
}
