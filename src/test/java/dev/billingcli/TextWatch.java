package dev.billingcli;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Text a command or process writes, which a test can wait for: every write wakes {@link #await}. */
public final class TextWatch extends Writer {
    private final StringBuilder text = new StringBuilder();

    /** Copies a process's output into a new watch, on a daemon thread, until the stream ends. */
    public static TextWatch of(InputStream in) {
        TextWatch watch = new TextWatch();
        Thread copier = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try (in) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    watch.write(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ended) {
                // the process is gone
            }
        }, "text-watch");
        copier.setDaemon(true);
        copier.start();
        return watch;
    }

    @Override
    public synchronized void write(char[] cbuf, int off, int len) {
        text.append(cbuf, off, len);
        notifyAll();
    }

    /** Waits until the text contains {@code wanted}; fails with what was written after {@code timeout}. */
    public synchronized void await(String wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (text.indexOf(wanted) < 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("never saw \"" + wanted + "\" within " + timeout + "; saw:\n" + text);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public synchronized String toString() {
        return text.toString();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
