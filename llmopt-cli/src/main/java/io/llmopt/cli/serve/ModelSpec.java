package io.llmopt.cli.serve;

import io.llmopt.tensor.LlmoptException;
import java.nio.file.Path;

/** One {@code -m} value: {@code NAME=PATH}, or a bare {@code PATH} served under its file name. */
record ModelSpec(String name, Path path) {

    static ModelSpec parse(String value) {
        int eq = value.indexOf('=');
        if (eq == 0) {
            throw new LlmoptException("-m " + value + ": the model name before '=' is empty (use NAME=PATH or PATH)");
        }
        if (eq > 0) {
            String path = value.substring(eq + 1);
            if (path.isEmpty()) {
                throw new LlmoptException("-m " + value + ": the path after '=' is empty (use NAME=PATH)");
            }
            return new ModelSpec(value.substring(0, eq), Path.of(path));
        }
        Path p = Path.of(value);
        Path file = p.toAbsolutePath().normalize().getFileName();
        if (file == null) {
            throw new LlmoptException("-m " + value + ": cannot name a model after this path; use NAME=PATH");
        }
        return new ModelSpec(file.toString(), p);
    }
}
