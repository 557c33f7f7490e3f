package dev.billingcli.doctor;

import dev.billingcli.BillingException;
import dev.billingcli.store.Database;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code db start} / {@code db stop}: keeps the embedded PostgreSQL up between one-shot commands, so that
 * only the first pays its start (they attach to a running server on their data directory). The server is
 * held by a background {@code billing db serve} process that stops it after an idle time without client
 * connections, or on {@code db stop}. Its pid is kept in {@code <data-dir>/db-serve.pid}, its output in
 * {@code <data-dir>/db-serve.log}.
 */
public final class DatabaseServer {
    /** @param port the server's port; @param pid the process holding it */
    public record Running(int port, long pid, boolean ours) {}

    private final Path dataDir;

    public DatabaseServer(Path dataDir) {
        this.dataDir = dataDir;
    }

    private Path pidFile() {
        return dataDir.resolve("db-serve.pid");
    }

    /** The server on this data directory, if one runs; {@code ours} when a {@code db serve} holds it. */
    public Optional<Running> running() {
        Integer port = Database.runningEmbeddedPort(dataDir);
        if (port == null) {
            return Optional.empty();
        }
        Optional<Long> keeper = keeper();
        return Optional.of(new Running(port, keeper.orElse(-1L), keeper.isPresent()));
    }

    private Optional<Long> keeper() {
        try {
            long pid = Long.parseLong(Files.readString(pidFile(), StandardCharsets.UTF_8).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Starts {@code billing db serve} in the background and waits until its server answers.
     *
     * @param launcher the command line that runs this tool (java, its class path, the main class)
     */
    public Running start(List<String> launcher, Duration idle, Duration wait) {
        Optional<Running> already = running();
        if (already.isPresent()) {
            return already.get();
        }
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of("--data-dir", dataDir.toString(), "db", "serve", "--idle", idle.toSeconds() + "s"));
        try {
            Files.createDirectories(dataDir);
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("db-serve.log").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            Instant deadline = Instant.now().plus(wait);
            while (Instant.now().isBefore(deadline)) {
                Optional<Running> r = running();
                if (r.isPresent() && r.get().ours()) {
                    return r.get();
                }
                if (!p.isAlive()) {
                    throw BillingException.serviceFailed("the database server process ended at once (exit " + p.exitValue() + "); see "
                            + dataDir.resolve("db-serve.log"), null);
                }
                Thread.sleep(100);
            }
            p.destroy();
            throw BillingException.serviceFailed("the database server did not start within " + wait.toSeconds() + " s; see "
                    + dataDir.resolve("db-serve.log"), null);
        } catch (IOException e) {
            throw BillingException.serviceFailed("cannot start the database server process: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BillingException.serviceFailed("interrupted while starting the database server", e);
        }
    }

    /**
     * What {@code db serve} does: holds the server (opened by {@code open}) until no other client has been
     * connected for {@code idle}, or until the process is told to stop.
     *
     * @return why it stopped
     */
    public String serve(Supplier<Database> open, Duration idle, Duration poll) throws InterruptedException {
        Database db = open.get();
        try {
            Files.writeString(pidFile(), Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw BillingException.serviceFailed("cannot write " + pidFile() + ": " + e.getMessage(), e);
        }
        Instant lastUsed = Instant.now();
        try {
            while (true) {
                if (db.otherClientConnections() > 0) {
                    lastUsed = Instant.now();
                } else if (Duration.between(lastUsed, Instant.now()).compareTo(idle) >= 0) {
                    return "idle for " + idle.toSeconds() + " s";
                }
                Thread.sleep(poll.toMillis());
            }
        } finally {
            try {
                Files.deleteIfExists(pidFile());
            } catch (IOException ignored) {
                // a stale pid file names a dead process: running() treats it as no keeper
            }
        }
    }

    /** Stops the server a {@code db serve} holds; refuses one that another billing process holds. */
    public String stop(Duration wait) {
        Optional<Running> r = running();
        if (r.isEmpty()) {
            return "no database server runs on " + dataDir;
        }
        if (!r.get().ours()) {
            throw BillingException.refused("the embedded PostgreSQL on " + dataDir + " (port " + r.get().port()
                    + ") belongs to another billing process (webhook-serve, shell…): stop that one");
        }
        ProcessHandle keeper = ProcessHandle.of(r.get().pid()).orElseThrow();
        keeper.destroy();
        try {
            keeper.onExit().get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw BillingException.serviceFailed("the database server process " + r.get().pid() + " did not stop within "
                    + wait.toSeconds() + " s", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw BillingException.serviceFailed("waiting for the database server process failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BillingException.serviceFailed("interrupted while stopping the database server", e);
        }
        return "stopped the database server on " + dataDir + " (port " + r.get().port() + ")";
    }
}
