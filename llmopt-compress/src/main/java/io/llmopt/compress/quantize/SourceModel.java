package io.llmopt.compress.quantize;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.gguf.GgufValue;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.export.ExportTensor;
import io.llmopt.model.export.GgufModelWriter;
import io.llmopt.model.export.ModelTensors;
import io.llmopt.model.loader.Architecture;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.tokenizer.GgufTokenizerExport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded model seen the way llama-quantize sees a GGUF file: its tensors under GGUF names in llama.cpp's
 * processing order, the metadata to carry over, and the few hyper-parameters the type rules need. A GGUF input
 * keeps its own metadata and tensor bytes; an HF directory or llama2.c checkpoint is viewed as the GGUF
 * {@code llmopt convert} would write (same metadata, q/k rows in GGUF order), so quantizing it gives the same
 * file as converting and then quantizing.
 */
record SourceModel(String name, Shape shape, GgufMetadata metadata, List<SourceTensor> tensors) {

    /** What {@link TensorTypeRules} needs to know about the model. */
    record Shape(String architecture, int layers, int heads, int kvHeads, boolean hasOutputTensor) {
    }

    /**
     * One tensor: GGUF name, row-major shape, stored type, a reader of its rows as floats, and (GGUF input) the
     * stored tensor, whose bytes are copied when the type does not change.
     */
    record SourceTensor(String name, long[] shape, GgmlType type, ExportTensor.RowProducer rows, Tensor stored) {
        long cols() {
            return shape[shape.length - 1];
        }

        long rowCount() {
            return Tensor.elementCount(shape) / Math.max(1, cols());
        }

        long elementCount() {
            return Tensor.elementCount(shape);
        }

        long byteSize() {
            return type.byteSize(elementCount());
        }
    }

    static SourceModel of(LoadedModel m) {
        LlamaConfig c = m.config();
        List<SourceTensor> tensors = new ArrayList<>();
        GgufMetadata metadata;
        String name = baseName(m.path());
        if (m.format().equals("gguf")) {
            Map<String, GgufValue> kv = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : m.fileMetadata().entrySet()) {
                if (e.getValue() instanceof GgufValue v) {
                    kv.put(e.getKey(), v);
                }
            }
            metadata = new GgufMetadata(m.path().toString(), kv);
            for (Tensor t : m.fileTensors()) {
                tensors.add(new SourceTensor(t.name(), t.shape(), t.type(), (row, dst) -> t.readRow(row, dst, 0), t));
            }
        } else {
            Architecture arch = Architecture.fromGguf(c.architecture(), m.path().toString());
            GgmlType type = m.weights().layers().get(0).wq().type();
            GgufMetadata tokenizer = GgufTokenizerExport.toGguf(m.tokenizer());
            metadata = GgufModelWriter.metadata(name, c, GgufModelWriter.fileType(type.isQuantized() ? GgmlType.F16 : type), tokenizer);
            for (ExportTensor t : GgufModelWriter.extraTensors(c)) {
                tensors.add(new SourceTensor(t.name(), t.shape(), GgmlType.F32, t.rows(), null));
            }
            for (ExportTensor t : ModelTensors.of(c, m.weights(), TensorNames.GGUF, arch.ggufRopeLayout())) {
                GgmlType stored = t.shape().length == 1 ? GgmlType.F32 : type;
                tensors.add(new SourceTensor(t.name(), t.shape(), stored, t.rows(), null));
            }
        }
        tensors.sort(LLAMA_CPP_ORDER);
        boolean hasOutput = tensors.stream().anyMatch(t -> t.name().equals(TensorNames.GGUF.output()));
        Shape shape = new Shape(c.architecture(), c.numLayers(), c.numHeads(), c.numKvHeads(), hasOutput);
        return new SourceModel(name, shape, metadata, List.copyOf(tensors));
    }

    /**
     * llama.cpp's weight_name_comparer: by the layer number of "blk.N." names (−1 for others), then by name.
     * The type rules count attn_v/ffn_down tensors in this order, and llama-quantize writes tensors in it.
     */
    static final Comparator<SourceTensor> LLAMA_CPP_ORDER = Comparator
            .comparingInt((SourceTensor t) -> layerOf(t.name()))
            .thenComparing(SourceTensor::name);

    static int layerOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int end = 4;
        while (end < name.length() && Character.isDigit(name.charAt(end))) {
            end++;
        }
        if (end == 4 || end - 4 > 9) {
            return -1;
        }
        return Integer.parseInt(name.substring(4, end));
    }

    private static String baseName(Path p) {
        String n = p.toAbsolutePath().normalize().getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
