package io.llmopt.cli.prune;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The --json report: inputs, the pruning report (records serialize field by field) and the output size. */
final class PruneJson {
    private PruneJson() {
    }

    static Map<String, Object> of(Path model, Path out, Path calib, Object report, double seconds, long bytes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.toString());
        m.put("output", out.toString());
        m.put("calibration_text", calib.toString());
        m.put("report", report);
        m.put("output_bytes", bytes);
        m.put("seconds", seconds);
        return m;
    }
}
