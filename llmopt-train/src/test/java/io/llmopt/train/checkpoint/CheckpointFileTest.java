package io.llmopt.train.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.train.TrainHistory;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFileTest {
    @TempDir
    Path dir;

    private static TrainingState state(int p, long step) {
        Random rng = new Random(step);
        float[] a = new float[p];
        float[] m = new float[p];
        float[] v = new float[p];
        for (int i = 0; i < p; i++) {
            a[i] = (float) rng.nextGaussian();
            m[i] = (float) rng.nextGaussian();
            v[i] = rng.nextFloat();
        }
        TrainHistory h = new TrainHistory();
        for (int s = 0; s < step; s++) {
            h.addStep(4f - s * 0.1f, 1e-3f, 0.5f);
        }
        h.addEval(0, 4.2f);
        return new TrainingState("config", Map.of("--lr", "0.001", "--batch", "4"), "cross-entropy", step, 2, 17, 1234,
                step, h, a, m, v);
    }

    @Test
    void roundTripKeepsEveryBit() {
        Path f = dir.resolve("checkpoint.bin");
        TrainingState s = state(100_003, 7);
        CheckpointFile.write(f, s);
        TrainingState r = CheckpointFile.read(f);
        assertThat(r.params()).isEqualTo(s.params());
        assertThat(r.firstMoments()).isEqualTo(s.firstMoments());
        assertThat(r.secondMoments()).isEqualTo(s.secondMoments());
        assertThat(r.settings()).isEqualTo(s.settings());
        assertThat(r.step()).isEqualTo(7);
        assertThat(r.epoch()).isEqualTo(2);
        assertThat(r.windowIndex()).isEqualTo(17);
        assertThat(r.tokensSeen()).isEqualTo(1234);
        assertThat(r.history().trainLoss()).isEqualTo(s.history().trainLoss());
        assertThat(r.history().evalLoss()).isEqualTo(s.history().evalLoss());
        assertThat(Files.exists(dir.resolve("checkpoint.bin.tmp"))).isFalse();
    }

    @Test
    void damagedFilesAreOneLineErrorsAndAreLeftAlone() throws Exception {
        Path f = dir.resolve("checkpoint.bin");
        CheckpointFile.write(f, state(5000, 3));
        byte[] good = Files.readAllBytes(f);

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        Files.write(f, flipped);
        assertThatThrownBy(() -> CheckpointFile.read(f)).isInstanceOf(LlmoptException.class)
                .hasMessage(f + ": corrupted checkpoint: checksum mismatch (the file was damaged or only partly written); the file was left as it is");
        assertThat(Files.readAllBytes(f)).isEqualTo(flipped);

        Files.write(f, java.util.Arrays.copyOf(good, good.length - 1000));
        assertThatThrownBy(() -> CheckpointFile.read(f)).isInstanceOf(LlmoptException.class).hasMessageContaining("truncated");

        Files.writeString(f, "hello");
        assertThatThrownBy(() -> CheckpointFile.read(f)).isInstanceOf(LlmoptException.class).hasMessageContaining("not an llmopt training checkpoint");

        byte[] badCount = good.clone();
        // the settings count follows magic (8), version (4) and the UTF config string (2 + 6)
        badCount[20] = 0x7F;
        Files.write(f, badCount);
        assertThatThrownBy(() -> CheckpointFile.read(f)).isInstanceOf(LlmoptException.class).hasMessageContaining("impossible count");

        assertThatThrownBy(() -> CheckpointFile.read(dir.resolve("missing.bin"))).isInstanceOf(LlmoptException.class)
                .hasMessageContaining("no checkpoint to resume from");
    }

    @Test
    void aFailedWriteNeverReplacesTheLastGoodCheckpoint() throws Exception {
        Path f = dir.resolve("checkpoint.bin");
        CheckpointFile.write(f, state(1000, 2));
        byte[] good = Files.readAllBytes(f);
        Files.createDirectory(dir.resolve("checkpoint.bin.tmp")); // the temporary file cannot be created
        assertThatThrownBy(() -> CheckpointFile.write(f, state(1000, 5))).isInstanceOf(LlmoptException.class)
                .hasMessageContaining("cannot write checkpoint (the previous checkpoint, if any, is unchanged)");
        assertThat(Files.readAllBytes(f)).isEqualTo(good);
        assertThat(CheckpointFile.read(f).step()).isEqualTo(2);
    }

    @Test
    void aHalfWrittenTemporaryFileIsIgnoredAndOverwritten() throws Exception {
        Path f = dir.resolve("checkpoint.bin");
        CheckpointFile.write(f, state(1000, 2));
        try (RandomAccessFile tmp = new RandomAccessFile(dir.resolve("checkpoint.bin.tmp").toFile(), "rw")) {
            tmp.write(new byte[] {'L', 'L', 'M'}); // a crash in the middle of the next write
        }
        assertThat(CheckpointFile.read(f).step()).isEqualTo(2);
        CheckpointFile.write(f, state(1000, 4));
        assertThat(CheckpointFile.read(f).step()).isEqualTo(4);
    }
}
