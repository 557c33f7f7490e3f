package dev.billingcli.store;

import dev.billingcli.BillingException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A real PostgreSQL (zonky's binaries) whose data lives in {@code <data-dir>/pg} and survives between
 * runs. If another billing process already runs the server on that directory (a {@code webhook-serve}
 * in another terminal), this one connects to it instead of starting a second server.
 */
final class EmbeddedServer implements AutoCloseable {
    private final EmbeddedPostgres postgres;
    private final int port;
    private final Path directory;

    private EmbeddedServer(EmbeddedPostgres postgres, int port, Path directory) {
        this.postgres = postgres;
        this.port = port;
        this.directory = directory;
    }

    static EmbeddedServer start(Path dataDir, boolean durable, Consumer<String> notice) {
        Path pgDir = dataDir.resolve("pg");
        Integer running = runningPort(pgDir);
        if (running != null) {
            return new EmbeddedServer(null, running, pgDir);
        }
        boolean first = !Files.exists(pgDir.resolve("PG_VERSION"));
        if (first) {
            notice.accept("starting an embedded PostgreSQL with its data in " + pgDir + " (first start: a few seconds)");
        }
        try {
            Files.createDirectories(pgDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "100");
            if (durable) {
                // zonky starts PostgreSQL with fsync off (-F), fine for tests, not for data people keep.
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
            }
            EmbeddedPostgres pg = builder.start();
            return new EmbeddedServer(pg, pg.getPort(), pgDir);
        } catch (IOException | RuntimeException e) {
            throw BillingException.serviceFailed("cannot start the embedded PostgreSQL in " + pgDir + ": " + firstLine(e), e);
        }
    }

    /** The port of a server already running on this directory, from its postmaster.pid; null if none. */
    static Integer runningPort(Path pgDir) {
        Path pidFile = pgDir.resolve("postmaster.pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return null;
            }
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.size() < 4) {
                return null;
            }
            long pid = Long.parseLong(lines.get(0).strip());
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive ? Integer.parseInt(lines.get(3).strip()) : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    String describe() {
        return "embedded PostgreSQL in " + directory + " (port " + port + (postgres == null ? ", shared with another billing process)" : ")");
    }

    @Override
    public void close() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException ignored) {
                // the server is stopping anyway; nothing useful to tell the user
            }
        }
    }
}
