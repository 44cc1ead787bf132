package io.llmopt.compress.imatrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The imatrix.dat format: llama-imatrix's file read and written back byte for byte, and malformed files. */
class ImatrixFileTest {
    private static final String SHARED = "models/ref-tinystories/ref-tinystories-imatrix.dat";

    @TempDir
    Path dir;

    @Test
    void readsLlamaImatrixOutputAndWritesItBackIdentically() throws IOException {
        Path theirs = SharedData.require(SHARED);
        ImatrixFile f = ImatrixFile.read(theirs);
        assertThat(f.entries()).hasSize(35);
        assertThat(f.chunks()).isEqualTo(100);
        assertThat(f.dataset()).isEqualTo("data/tinystories-train.txt");
        ImatrixFile.Entry down = f.entries().get("blk.0.ffn_down.weight");
        assertThat(down.ncall()).isEqualTo(100);
        assertThat(down.values()).hasSize(768);
        assertThat(f.entries().get("blk.4.attn_q.weight").values()).hasSize(256);
        assertThat(f.entries().keySet()).doesNotContain("output.weight", "token_embd.weight");
        // the written file has the entries in the same order, so it is the same file
        Path copy = dir.resolve("copy.dat");
        f.write(copy);
        assertThat(Files.mismatch(copy, theirs)).isEqualTo(-1);
    }

    @Test
    void meansAreValuesOverCalls() {
        ImatrixFile.Entry e = new ImatrixFile.Entry(4, new float[] {8, 2});
        assertThat(e.means()).containsExactly(2f, 0.5f);
    }

    @Test
    void malformedFilesAreOneLineErrorsNamingTheOffset() throws IOException {
        byte[] good = Files.readAllBytes(SharedData.require(SHARED));
        Path cut = dir.resolve("cut.dat");
        Files.write(cut, Arrays.copyOf(good, 1000));
        assertThatThrownBy(() -> ImatrixFile.read(cut)).isInstanceOf(LlmoptException.class)
                .hasMessageContaining("cut.dat").hasMessageContaining("remain in the file");
        Path text = dir.resolve("text.dat");
        Files.writeString(text, "hello, this is not an importance matrix");
        assertThatThrownBy(() -> ImatrixFile.read(text)).isInstanceOf(LlmoptException.class)
                .hasMessageContaining("text.dat").hasMessageContaining("offset");
        Path empty = dir.resolve("empty.dat");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> ImatrixFile.read(empty)).isInstanceOf(LlmoptException.class)
                .hasMessage(empty + ": truncated at offset 0, expected the number of entries");
        Path trailing = dir.resolve("trailing.dat");
        byte[] more = Arrays.copyOf(good, good.length + 3);
        Files.write(trailing, more);
        assertThatThrownBy(() -> ImatrixFile.read(trailing)).isInstanceOf(LlmoptException.class)
                .hasMessageContaining("3 unexpected bytes after the dataset name");
    }

    @Test
    void anImatrixMustMatchTheModelsWeights() {
        Path theirs = SharedData.require(SHARED);
        Map<String, Long> columns = new LinkedHashMap<>();
        for (int l = 0; l < 5; l++) {
            for (String w : new String[] {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up"}) {
                columns.put("blk." + l + "." + w + ".weight", 256L);
            }
            columns.put("blk." + l + ".ffn_down.weight", 768L);
        }
        ImportanceMatrix ok = ImportanceMatrix.load(theirs, columns);
        assertThat(ok.entryCount()).isEqualTo(35);
        assertThat(ok.forWeight("token_embd.weight")).isEmpty();
        columns.put("blk.3.ffn_down.weight", 172L);
        assertThatThrownBy(() -> ImportanceMatrix.load(theirs, columns)).isInstanceOf(LlmoptException.class)
                .hasMessageContaining("'blk.3.ffn_down.weight' has 768 values but the weight has 172 columns");
        columns.remove("blk.3.ffn_down.weight");
        assertThatThrownBy(() -> ImportanceMatrix.load(theirs, columns)).isInstanceOf(LlmoptException.class)
                .hasMessageContaining("1 of 35 entries name no weight of it (first: 'blk.3.ffn_down.weight')");
    }
}
