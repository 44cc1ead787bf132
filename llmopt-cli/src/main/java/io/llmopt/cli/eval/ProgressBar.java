package io.llmopt.cli.eval;

import io.llmopt.eval.ProgressListener;
import java.io.PrintStream;

/**
 * A one-line progress bar on stderr: {@code [=====>     ] 45/159 chunks  PPL 6.49  0:12 left}, redrawn at
 * most 5 times a second on a terminal; elsewhere (logs, CI) one plain line per 10 %.
 */
final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final String unit;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastDecile = -1;
    private boolean drawn;

    ProgressBar(PrintStream err, String unit) {
        this.err = err;
        this.unit = unit;
        this.terminal = System.console() != null && System.console().isTerminal();
    }

    @Override
    public void update(int done, int total, String status) {
        long now = System.nanoTime();
        double seconds = (now - start) / 1e9;
        String left = done > 0 && done < total ? "  " + clock(seconds / done * (total - done)) + " left" : "  " + clock(seconds);
        if (terminal) {
            if (done < total && now - lastDraw < 200_000_000L) {
                return;
            }
            lastDraw = now;
            int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
            String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
            err.print("\r[" + bar + "] " + done + "/" + total + " " + unit + "  " + status + left + "   ");
            drawn = true;
            if (done == total) {
                finish();
            }
        } else {
            int decile = total == 0 ? 10 : (int) (10L * done / total);
            if (decile != lastDecile) {
                lastDecile = decile;
                err.println(done + "/" + total + " " + unit + "  " + status + left);
            }
        }
    }

    /** Ends the bar's line (before other output). */
    void finish() {
        if (drawn) {
            err.println();
            drawn = false;
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
