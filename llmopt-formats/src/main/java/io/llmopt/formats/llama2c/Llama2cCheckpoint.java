package io.llmopt.formats.llama2c;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A llama2.c "legacy v0" float32 checkpoint ({@code run.c} layout), memory-mapped.
 *
 * <p>Layout: 7 little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a
 * negative vocab_size means the classifier is stored separately), then float32 arrays in this order:
 * token_embedding_table [vocab][dim], rms_att_weight [L][dim], wq [L][dim][dim], wk [L][kvDim][dim],
 * wv [L][kvDim][dim], wo [L][dim][dim], rms_ffn_weight [L][dim], w1 [L][hidden][dim], w2 [L][dim][hidden],
 * w3 [L][hidden][dim], rms_final_weight [dim], freq_cis_real [seq][headDim/2], freq_cis_imag [seq][headDim/2],
 * then wcls [vocab][dim] if not shared. Matrices are [out][in]; q/k rows are in the interleaved RoPE order.
 *
 * <p>Tensors keep the checkpoint's own names and stacked [layers, …] shapes; mapping them to a model is the
 * model layer's job.
 */
public final class Llama2cCheckpoint implements AutoCloseable {
    private static final int HEADER_BYTES = 7 * 4;

    private final Path path;
    private final Arena arena;
    private final Header header;
    private final Map<String, Tensor> tensors;

    /** The hyper-parameters stored in the header. */
    public record Header(int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize, int seqLen,
            boolean sharedClassifier) {
        public int headDim() {
            return dim / heads;
        }

        public int kvDim() {
            return headDim() * kvHeads;
        }
    }

    private Llama2cCheckpoint(Path path, Arena arena, Header header, Map<String, Tensor> tensors) {
        this.path = path;
        this.arena = arena;
        this.header = header;
        this.tensors = tensors;
    }

    public static Llama2cCheckpoint open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_BYTES) {
                throw new LlmoptException(path + ": file is " + size + " bytes, too short for a llama2.c header (28 bytes)");
            }
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            Header header = readHeader(path, file);
            Map<String, Tensor> tensors = layout(path, file, header);
            return new Llama2cCheckpoint(path, arena, header, tensors);
        } catch (IOException e) {
            arena.close();
            throw new LlmoptException(path + ": cannot read llama2.c checkpoint: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Header readHeader(Path path, MemorySegment file) {
        int[] h = new int[7];
        for (int i = 0; i < 7; i++) {
            h[i] = file.get(Layouts.INT, 4L * i);
        }
        if (h[0] == 0x616b3432) {
            throw new LlmoptException(path + ": llama2.c export version 1/2 (magic 'ak42') is not supported; expected the legacy v0 float32 layout");
        }
        String[] names = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
        for (int i = 0; i < 7; i++) {
            if (i != 5 && (h[i] <= 0 || h[i] > 1 << 20)) {
                throw new LlmoptException(path + ": llama2.c header field " + names[i] + " = " + h[i] + " is not a plausible positive size");
            }
        }
        int vocab = Math.abs(h[5]);
        if (vocab == 0 || vocab > 1 << 24) {
            throw new LlmoptException(path + ": llama2.c header field vocab_size = " + h[5] + " is not plausible");
        }
        if (h[0] % h[3] != 0 || h[3] % h[4] != 0) {
            throw new LlmoptException(path + ": llama2.c header: dim " + h[0] + " must be a multiple of n_heads " + h[3]
                    + ", and n_heads a multiple of n_kv_heads " + h[4]);
        }
        return new Header(h[0], h[1], h[2], h[3], h[4], vocab, h[6], h[5] > 0);
    }

    private static Map<String, Tensor> layout(Path path, MemorySegment file, Header h) {
        long d = h.dim(), f = h.hiddenDim(), l = h.layers(), v = h.vocabSize(), kv = h.kvDim();
        long half = h.headDim() / 2;
        Map<String, Tensor> out = new LinkedHashMap<>();
        long[][] shapes = {
            {v, d}, {l, d}, {l, d, d}, {l, kv, d}, {l, kv, d}, {l, d, d}, {l, d}, {l, f, d}, {l, d, f}, {l, f, d}, {d},
            {h.seqLen(), half}, {h.seqLen(), half}, {v, d}};
        String[] names = {"token_embedding_table", "rms_att_weight", "wq", "wk", "wv", "wo", "rms_ffn_weight", "w1", "w2",
            "w3", "rms_final_weight", "freq_cis_real", "freq_cis_imag", "wcls"};
        int count = h.sharedClassifier() ? names.length - 1 : names.length;
        long offset = HEADER_BYTES;
        for (int i = 0; i < count; i++) {
            long bytes = 4 * Tensor.elementCount(shapes[i]);
            if (offset + bytes > file.byteSize()) {
                throw new LlmoptException(path + ": llama2.c checkpoint is truncated: tensor " + names[i] + " needs bytes "
                        + offset + ".." + (offset + bytes) + " but the file has " + file.byteSize());
            }
            out.put(names[i], new Tensor(names[i], GgmlType.F32, shapes[i], file.asSlice(offset, bytes)));
            offset += bytes;
        }
        if (offset != file.byteSize()) {
            throw new LlmoptException(path + ": llama2.c checkpoint has " + (file.byteSize() - offset)
                    + " unexpected trailing bytes after offset " + offset + " (header says " + h + ")");
        }
        return out;
    }

    public Path path() {
        return path;
    }

    public Header header() {
        return header;
    }

    /** token_embedding_table, rms_att_weight, wq, …, rms_final_weight and (when not shared) wcls. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new LlmoptException(path + ": llama2.c checkpoint has no tensor '" + name + "'");
        }
        return t;
    }

    @Override
    public void close() {
        arena.close();
    }
}
