package io.llmopt.compress.quantize;

import io.llmopt.compress.imatrix.ImportanceMatrix;
import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.gguf.GgufValue;
import io.llmopt.formats.gguf.GgufWriter;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code llmopt quantize}: reads any supported model and writes a GGUF file the way llama-quantize b4747 does —
 * the input's metadata plus {@code general.quantization_version} = 2 and {@code general.file_type} = the mix's
 * ftype (and the {@code quantize.imatrix.*} keys with an importance matrix), tensors in llama.cpp's order with
 * llama.cpp's per-tensor types, each encoded by the reference quantizers, in parallel over rows. Tensors are
 * processed one at a time and streamed, so memory stays near one tensor; the output is written atomically, so
 * an interrupted run leaves no output file.
 */
public final class ModelQuantizer {
    /** ggml's GGML_QNT_VERSION. */
    public static final int QUANTIZATION_VERSION = 2;

    private ModelQuantizer() {
    }

    public static QuantizeReport quantize(Path in, Path out, QuantizeOptions options, QuantizeListener listener) {
        long t0 = System.nanoTime();
        if (Files.exists(out) && (Files.isDirectory(out) || isSameFile(in, out))) {
            throw new LlmoptException(out + ": output must be a new file, not " + (Files.isDirectory(out) ? "a directory" : "the input"));
        }
        try (LoadedModel m = ModelLoader.load(in)) {
            SourceModel model = SourceModel.of(m);
            ImportanceMatrix imatrix = options.imatrix() == null ? null : ImportanceMatrix.load(options.imatrix(), columns(model));
            List<QuantizePlan.TensorPlan> plans = QuantizePlan.of(model, options, imatrix);
            GgufWriter writer = new GgufWriter(out);
            writer.metadata(metadata(model, options, imatrix));
            long total = 0;
            for (QuantizePlan.TensorPlan p : plans) {
                total += p.source().elementCount();
            }
            List<QuantizeReport.TensorReport> reports = new ArrayList<>();
            WorkerPool pool = new WorkerPool(options.threads());
            try {
                TensorEncoder encoder = new TensorEncoder(pool);
                long[] done = {0};
                long all = total;
                for (int i = 0; i < plans.size(); i++) {
                    QuantizePlan.TensorPlan p = plans.get(i);
                    int index = i;
                    writer.addTensor(p.source().name(), p.type(), p.source().shape(), sink -> {
                        listener.tensorStarted(index, plans.size(), p.source().name(), p.type().name());
                        double error = 0;
                        if (!p.convert() && p.source().stored() != null) {
                            sink.write(p.source().stored().data());
                            done[0] += p.source().elementCount();
                            listener.progress(done[0], all);
                        } else {
                            TensorEncoder.Error e = encoder.encode(p.source(), p.type(), p.importance(), sink, n -> {
                                done[0] += n;
                                listener.progress(done[0], all);
                            });
                            error = p.convert() ? e.relativeRms() : 0;
                        }
                        QuantizeReport.TensorReport r = new QuantizeReport.TensorReport(p.source().name(), p.source().shape(),
                                p.source().type().name(), p.type().name(), p.convert(), p.source().byteSize(),
                                p.type().byteSize(p.source().elementCount()), error, p.fallback(), p.importance() != null);
                        reports.add(r);
                        listener.tensorFinished(index, plans.size(), r);
                    });
                }
                writer.write();
            } finally {
                pool.shutdown();
            }
            long before = reports.stream().mapToLong(QuantizeReport.TensorReport::bytesBefore).sum();
            long after = reports.stream().mapToLong(QuantizeReport.TensorReport::bytesAfter).sum();
            return new QuantizeReport(in.toString(), out.toString(), options.mix().name(), options.mix().fileType(),
                    options.imatrix() == null ? null : options.imatrix().toString(), options.threads(), List.copyOf(reports),
                    before, after, size(out), total, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Row length of every weight an importance matrix may describe (2-D and larger tensors). */
    static Map<String, Long> columns(SourceModel model) {
        Map<String, Long> cols = new LinkedHashMap<>();
        for (SourceModel.SourceTensor t : model.tensors()) {
            if (QuantizePlan.ggmlDims(t.shape()) >= 2) {
                cols.put(t.name(), t.cols());
            }
        }
        return cols;
    }

    /**
     * The input's metadata with llama-quantize's additions; like gguf_set_val, a key that is set again moves to
     * the end.
     */
    static GgufMetadata metadata(SourceModel model, QuantizeOptions o, ImportanceMatrix imatrix) {
        Map<String, GgufValue> kv = new LinkedHashMap<>(model.metadata().asMap());
        set(kv, "general.quantization_version", GgufValue.ofUint32(QUANTIZATION_VERSION));
        set(kv, "general.file_type", GgufValue.ofUint32(o.mix().fileType()));
        if (imatrix != null) {
            set(kv, "quantize.imatrix.file", GgufValue.ofString(o.imatrix().toString()));
            if (!imatrix.dataset().isEmpty()) {
                set(kv, "quantize.imatrix.dataset", GgufValue.ofString(imatrix.dataset()));
            }
            set(kv, "quantize.imatrix.entries_count", GgufValue.ofInt32(imatrix.entryCount()));
            if (imatrix.chunks() > 0) {
                set(kv, "quantize.imatrix.chunks_count", GgufValue.ofInt32(imatrix.chunks()));
            }
        }
        return new GgufMetadata(model.metadata().source(), kv);
    }

    private static void set(Map<String, GgufValue> kv, String key, GgufValue value) {
        kv.remove(key);
        kv.put(key, value);
    }

    private static boolean isSameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new LlmoptException(p + ": cannot read size: " + e.getMessage(), e);
        }
    }
}
