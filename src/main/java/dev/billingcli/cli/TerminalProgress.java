package dev.billingcli.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar from {@code me.tongfei:progressbar} on picocli's error writer, for a person at a terminal
 * only. The library's own console consumer asks jline 3 for the terminal width (excluded from the build:
 * jline 4 is ours), so this consumer takes the width from {@code COLUMNS} and writes the rendered line itself.
 */
final class TerminalProgress implements ProgressBarConsumer {
    private final PrintWriter err;
    private final int width;

    private TerminalProgress(PrintWriter err, int width) {
        this.err = err;
        this.width = width;
    }

    /** An indefinite bar counting {@code unit}s; call {@link ProgressBar#close()} when done. */
    static ProgressBar start(PrintWriter err, String columns, String task, String unit) {
        return start(err, columns, task, unit, -1);
    }

    /** A bar counting {@code unit}s with their rate, and an ETA when {@code max} (the expected total) is positive. */
    static ProgressBar start(PrintWriter err, String columns, String task, String unit, long max) {
        int width = 80;
        if (columns != null && columns.matches("\\d{2,4}")) {
            width = Integer.parseInt(columns);
        }
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max > 0 ? max : -1).setStyle(ProgressBarStyle.ASCII)
                .setUnit(unit, 1).showSpeed().continuousUpdate().setConsumer(new TerminalProgress(err, width)).build();
    }

    @Override
    public int getMaxRenderedLength() {
        return width - 1;
    }

    @Override
    public void accept(String rendered) {
        synchronized (err) {
            err.print('\r');
            err.print(rendered);
            err.flush();
        }
    }

    /** Wipes the bar's line, so a result line printed while it is paused starts clean. */
    @Override
    public void clear() {
        synchronized (err) {
            err.print('\r');
            err.print(" ".repeat(width - 1));
            err.print('\r');
            err.flush();
        }
    }

    @Override
    public void close() {
        synchronized (err) {
            err.println();
            err.flush();
        }
    }
}
