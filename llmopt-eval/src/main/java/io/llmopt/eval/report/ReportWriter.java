package io.llmopt.eval.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link Comparison} to a directory: {@code report.md} (the table), {@code report.json} (every
 * figure, snake_case), {@code report.html} (table and charts, PNGs embedded so the page is self-contained)
 * and the charts as {@code quality-vs-size.png} and {@code speed.png}. Each file is written atomically.
 */
public final class ReportWriter {
    static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private ReportWriter() {
    }

    /** The files written, in order. */
    public static List<Path> write(Comparison c, Path dir) {
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            byte[] quality = Charts.qualityVsSize(c);
            byte[] speed = Charts.speed(c);
            written.add(save(dir.resolve("report.md"), markdown(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            written.add(save(dir.resolve("report.json"), JSON.writeValueAsBytes(c)));
            if (quality != null) {
                written.add(save(dir.resolve("quality-vs-size.png"), quality));
            }
            if (speed != null) {
                written.add(save(dir.resolve("speed.png"), speed));
            }
            written.add(save(dir.resolve("report.html"), html(c, quality, speed).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new LlmoptException(dir + ": cannot write the report: " + e.getMessage(), e);
        }
        return written;
    }

    static String[] header() {
        return new String[] {"model", "size (MB)", "bpw", "PPL", "ΔPPL", "mean KLD", "same top p", "acc", "acc_norm", "acc_mi", "pp t/s", "tg t/s",
            "tg speed-up", "peak RSS (MB)"};
    }

    static List<String[]> rows(Comparison c) {
        List<String[]> rows = new ArrayList<>();
        for (ComparisonEntry e : c.entries()) {
            boolean base = rows.isEmpty();
            rows.add(new String[] {e.label(), f("%.2f", e.fileBytes() / 1e6), f("%.3f", e.bitsPerWeight()),
                f("%.4f ± %.4f", e.ppl(), e.pplStderr()), base ? "—" : f("%+.2f %%", e.deltaPplPercent()),
                base ? "—" : f("%.6f ± %.6f", e.kldMean(), e.kldStderr()), base ? "—" : f("%.2f %%", 100 * e.sameTopP()),
                f("%.4f", e.acc()), f("%.4f", e.accNorm()), f("%.4f", e.accMutualInfo()), f("%.0f", e.ppTokensPerSecond()), f("%.1f", e.tgTokensPerSecond()),
                f("%.2fx", e.tgSpeedup()), e.peakRssBytes() < 0 ? "n/a" : f("%.0f", e.peakRssBytes() / 1e6)});
        }
        return rows;
    }

    static String setting(Comparison c) {
        return String.format(Locale.ROOT, "Text %s, llama-perplexity method at -c %d (%d chunks, %d scored tokens); KLD and same top p vs the "
                        + "first model (its top-%d log-probs per position); %s; %d threads. Peak RSS is the process's running peak "
                        + "(cumulative: only the first row is one model's own).", c.text(), c.ctx(), c.chunks(), c.tokensScored(), c.topK(),
                c.task() == null ? "no multiple-choice task" : "task " + c.task() + " (" + c.taskItems() + " items)", c.threads());
    }

    static String markdown(Comparison c) {
        StringBuilder md = new StringBuilder("# Model comparison\n\n").append(setting(c)).append("\n\n");
        String[] h = header();
        md.append("| ").append(String.join(" | ", h)).append(" |\n|");
        md.append("---|".repeat(h.length)).append('\n');
        for (String[] row : rows(c)) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return md.toString();
    }

    static String html(Comparison c, byte[] quality, byte[] speed) {
        StringBuilder h = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>llmopt model comparison</title>
                <style>
                body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
                table { border-collapse: collapse; font-size: 14px; }
                th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
                th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
                tr:nth-child(even) td { background: #fafafa; }
                img { max-width: 100%; border: 1px solid #ddd; margin: 1em 0; }
                </style></head><body>
                <h1>Model comparison</h1>
                """);
        h.append("<p>").append(escape(setting(c))).append("</p>\n<table>\n<tr>");
        for (String col : header()) {
            h.append("<th>").append(escape(col)).append("</th>");
        }
        h.append("</tr>\n");
        for (String[] row : rows(c)) {
            h.append("<tr>");
            for (String cell : row) {
                h.append("<td>").append(escape(cell)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        if (quality != null) {
            h.append("<img alt=\"size vs quality\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(quality)).append("\">\n");
        }
        if (speed != null) {
            h.append("<img alt=\"speed\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(speed)).append("\">\n");
        }
        return h.append("</body></html>\n").toString();
    }

    private static String f(String format, double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, format, v);
    }

    private static String f(String format, double a, double b) {
        return Double.isNaN(a) ? "—" : String.format(Locale.ROOT, format, a, b);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static Path save(Path file, byte[] bytes) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temp, bytes);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
