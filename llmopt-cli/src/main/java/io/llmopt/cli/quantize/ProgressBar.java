package io.llmopt.cli.quantize;

import java.io.PrintWriter;

/**
 * A one-line progress bar redrawn in place ({@code \r}) on a terminal, at most every 100 ms:
 * {@code [#######.......]  45%  12/48 blk.3.ffn_up.weight  2.1 s}. Draws nothing when the stream is not a
 * terminal (redirected output or tests), so logs stay clean.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastLength;

    ProgressBar(PrintWriter out, boolean enabled) {
        this.out = out;
        this.enabled = enabled;
    }

    /** Whether stderr is an interactive terminal (System.console() also needs stdout, hence the env check). */
    static boolean terminal() {
        return System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
    }

    void update(double fraction, String label, boolean force) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * WIDTH);
        String line = String.format("[%s%s] %3d%%  %s  %.1f s", "#".repeat(filled), ".".repeat(WIDTH - filled),
                Math.round(fraction * 100), label, (now - start) / 1e9);
        out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        out.flush();
        lastLength = line.length();
    }

    /** Erases the bar so that the next line starts clean. */
    void clear() {
        if (enabled && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
            lastLength = 0;
        }
    }
}
