package io.llmopt.compress.bnb;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmopt.compress.quantize.QuantizeListener;
import io.llmopt.compress.quantize.QuantizeReport;
import io.llmopt.formats.bnb.BnbDecoder;
import io.llmopt.formats.bnb.BnbEncoder;
import io.llmopt.formats.bnb.BnbLayout;
import io.llmopt.formats.hf.HfConfig;
import io.llmopt.formats.safetensors.SafetensorsWriter;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.export.ExportTensor;
import io.llmopt.model.export.HfModelWriter;
import io.llmopt.model.export.ModelTensors;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code llmopt quantize IN OUTDIR NF4|FP4|INT8}: a Hugging Face directory with bitsandbytes-quantized linear
 * layers ({@link BnbLayout}) that transformers + bitsandbytes and llmopt load. The seven projection matrices of
 * every decoder layer are quantized (those whose rows are a multiple of the type's block; others are kept, as
 * transformers' skip list would); embeddings, norms and lm_head keep the input's float type.
 *
 * <p>Each weight's serialized tensors are built when the header is written, so memory holds the quantized model
 * (about the output's size) while writing.
 */
public final class BnbQuantizer {
    private static final Pattern LINEAR = Pattern.compile("model\\.layers\\.\\d+\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight");
    private static final long SHARD_BYTES = 4L << 30;

    /**
     * @param type        NF4, FP4 or INT8
     * @param doubleQuant 4-bit only: store block absmax values in 8 bits (bnb_4bit_use_double_quant)
     */
    public record Options(GgmlType type, boolean doubleQuant) {
        public Options {
            if (type != GgmlType.NF4 && type != GgmlType.FP4 && type != GgmlType.INT8) {
                throw new LlmoptException("bitsandbytes quantization is NF4, FP4 or INT8, got " + type);
            }
            if (doubleQuant && type == GgmlType.INT8) {
                throw new LlmoptException("double quantization applies to NF4 and FP4 only");
            }
        }
    }

    private BnbQuantizer() {
    }

    public static QuantizeReport quantize(Path in, Path outDir, Options o, QuantizeListener listener) {
        long t0 = System.nanoTime();
        if (Files.isRegularFile(outDir)) {
            throw new LlmoptException(outDir + ": bitsandbytes output is a Hugging Face directory, not a file");
        }
        try (LoadedModel m = ModelLoader.load(in)) {
            LlamaConfig c = m.config();
            GgmlType floatType = m.weights().layers().getFirst().wq().type();
            if (floatType.isQuantized()) {
                throw new LlmoptException("requantizing is not supported: the input's weights are " + floatType
                        + " (quantize from an F32, F16 or BF16 model)");
            }
            List<ExportTensor> tensors = ModelTensors.of(c, m.weights(), TensorNames.HF, RopeLayout.HALF);
            SafetensorsWriter writer = new SafetensorsWriter().metadata(Map.of("format", "pt"));
            List<QuantizeReport.TensorReport> reports = new ArrayList<>();
            long elements = 0;
            for (int i = 0; i < tensors.size(); i++) {
                ExportTensor t = tensors.get(i);
                long count = Tensor.elementCount(t.shape());
                elements += count;
                boolean quantize = LINEAR.matcher(t.name()).matches() && t.cols() % o.type().blockSize() == 0;
                GgmlType target = quantize ? o.type() : t.shape().length == 1 ? GgmlType.F32 : floatType;
                listener.tensorStarted(i, tensors.size(), t.name(), target.name());
                long before = floatType.byteSize(count);
                if (!quantize) {
                    writer.add(t.name(), target, t.shape(), t::toFloatArray);
                    reports.add(new QuantizeReport.TensorReport(t.name(), t.shape(), floatType.name(), target.name(), false,
                            before, target.byteSize(count), 0, null, false));
                } else {
                    List<BnbEncoder.Part> parts = encode(t, o, dtypeName(floatType));
                    long after = 0;
                    for (BnbEncoder.Part p : parts) {
                        writer.addBytes(p.name(), p.dtype(), p.shape(), p.bytes());
                        after += p.bytes().byteSize();
                    }
                    double error = error(t, BnbDecoder.find(BnbDecoder.Store.of(outDir.toString(), parts), t.name()).orElseThrow());
                    reports.add(new QuantizeReport.TensorReport(t.name(), t.shape(), floatType.name(), target.name(), true,
                            before, after, error, null, false));
                }
                listener.tensorFinished(i, tensors.size(), reports.getLast());
            }
            try {
                Files.createDirectories(outDir);
            } catch (IOException e) {
                throw new LlmoptException(outDir + ": cannot create directory: " + e.getMessage(), e);
            }
            if (writer.dataBytes() > SHARD_BYTES) {
                writer.writeSharded(outDir, SHARD_BYTES);
            } else {
                writer.write(outDir.resolve("model.safetensors"));
            }
            writeConfig(m, floatType, o, outDir);
            TokenizerCopy.copy(m, outDir).ifPresent(listener::warning);
            long beforeAll = reports.stream().mapToLong(QuantizeReport.TensorReport::bytesBefore).sum();
            long afterAll = reports.stream().mapToLong(QuantizeReport.TensorReport::bytesAfter).sum();
            return new QuantizeReport(in.toString(), outDir.toString(), o.type().name() + (o.doubleQuant() ? "+DQ" : ""), -1,
                    null, 1, List.copyOf(reports), beforeAll, afterAll, directoryBytes(outDir), elements, (System.nanoTime() - t0) / 1e9);
        }
    }

    private static List<BnbEncoder.Part> encode(ExportTensor t, Options o, String dtype) {
        int cols = Math.toIntExact(t.cols());
        BnbEncoder.Rows rows = (row, dst) -> t.rows().row(row, dst);
        return o.type() == GgmlType.INT8
                ? BnbEncoder.int8(t.name(), t.rowCount(), cols, rows)
                : BnbEncoder.fourBit(t.name(), o.type(), t.rowCount(), cols, rows, o.doubleQuant(), dtype);
    }

    /** Relative RMS error of the decoded weight against the original rows. */
    private static double error(ExportTensor t, Tensor decoded) {
        int cols = Math.toIntExact(t.cols());
        float[] x = new float[cols];
        float[] y = new float[cols];
        double err = 0;
        double sig = 0;
        for (long r = 0; r < t.rowCount(); r++) {
            t.rows().row(r, x);
            decoded.readRow(r, y, 0);
            for (int i = 0; i < cols; i++) {
                double d = (double) x[i] - y[i];
                err += d * d;
                sig += (double) x[i] * x[i];
            }
        }
        return sig == 0 ? 0 : Math.sqrt(err / sig);
    }

    static String dtypeName(GgmlType t) {
        return switch (t) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        };
    }

    /** config.json as {@code llmopt convert} writes it, plus transformers' bitsandbytes quantization_config. */
    private static void writeConfig(LoadedModel m, GgmlType floatType, Options o, Path outDir) {
        Integer bos = m.tokenizer().bos().isPresent() ? m.tokenizer().bos().getAsInt() : null;
        List<Integer> eos = m.tokenizer().eos().isPresent() ? List.of(m.tokenizer().eos().getAsInt()) : List.of();
        HfConfig config = HfModelWriter.config(m.config(), bos, eos, floatType);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            ObjectNode root = (ObjectNode) json.readTree(config.toJson());
            ObjectNode q = root.putObject("quantization_config");
            boolean fourBit = o.type() != GgmlType.INT8;
            q.put("quant_method", BnbLayout.QUANT_METHOD);
            q.put("load_in_4bit", fourBit);
            q.put("load_in_8bit", !fourBit);
            q.put("bnb_4bit_quant_type", o.type() == GgmlType.FP4 ? "fp4" : "nf4");
            q.put("bnb_4bit_use_double_quant", o.doubleQuant());
            q.put("bnb_4bit_compute_dtype", dtypeName(floatType));
            q.put("bnb_4bit_quant_storage", "uint8");
            q.put("llm_int8_threshold", 6.0);
            q.put("llm_int8_has_fp16_weight", false);
            q.putNull("llm_int8_skip_modules");
            Path target = outDir.resolve(HfConfig.FILE_NAME);
            Path temp = outDir.resolve("." + HfConfig.FILE_NAME + ".tmp");
            Files.writeString(temp, json.writeValueAsString(root) + "\n");
            Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LlmoptException(outDir + ": cannot write config.json: " + e.getMessage(), e);
        }
    }

    private static long directoryBytes(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new LlmoptException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }
}
