package io.llmopt.cli.prune;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The calibration text: --calib, else the shared TinyStories training text ($LLMOPT_SHARED/data or
 * /work/shared/data, ../shared/data) — training text only, never an evaluation text.
 */
final class CalibrationText {
    static final String DEFAULT_NAME = "tinystories-train.txt";

    private CalibrationText() {
    }

    static Path resolve(Path given) {
        if (given != null) {
            if (!Files.isRegularFile(given)) {
                throw new LlmoptException(given + ": calibration text not found");
            }
            return given;
        }
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("LLMOPT_SHARED");
        if (env != null) {
            candidates.add(Path.of(env, "data", DEFAULT_NAME));
        }
        candidates.add(Path.of("/work/shared/data", DEFAULT_NAME));
        candidates.add(Path.of("../shared/data", DEFAULT_NAME));
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new LlmoptException(
                "no calibration text given and " + DEFAULT_NAME + " not found in the shared data folder; pass --calib FILE"));
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new LlmoptException(p + ": cannot read: " + e.getMessage(), e);
        }
    }
}
