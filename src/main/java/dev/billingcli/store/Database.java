package dev.billingcli.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.billingcli.BillingException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;

/**
 * The one database of a run: the server at {@code --database-url}, or else the embedded PostgreSQL in
 * the data dir. Schema changes go through Flyway migrations ({@code db/migration}) only.
 */
public final class Database implements AutoCloseable {
    /** Embedded server durability: on for people's data; the test suite turns it off for speed. */
    static final String DURABLE_PROPERTY = "billing.embedded.durable";
    /**
     * How long opening keeps trying to reach the server before it gives up with one line, in ms (default
     * 5000); the test suite shortens it for its unreachable-server test.
     */
    static final String CONNECT_TIMEOUT_PROPERTY = "billing.db.connect-timeout-ms";
    /** How long a query waits for a pooled connection before failing (a webhook then answers 503). */
    public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    private final EmbeddedServer embedded;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final String description;

    private Database(EmbeddedServer embedded, HikariDataSource dataSource, String description, Jdbi jdbi) {
        this.embedded = embedded;
        this.dataSource = dataSource;
        this.description = description;
        this.jdbi = jdbi;
    }

    /**
     * Jdbi with the PostgreSQL plugin, made on a thread of its own while the pool makes its first connection:
     * its set-up (argument and mapper factories, its check for JDK Flight Recorder on the first statement) is
     * about 100 ms of class loading and static initialisation, a quarter of a one-shot {@code status}
     * (bench/README.md). Its connections come from the pool once that exists.
     */
    private static java.util.concurrent.CompletableFuture<Jdbi> jdbiInBackground(java.util.concurrent.atomic.AtomicReference<DataSource> pool) {
        var made = new java.util.concurrent.CompletableFuture<Jdbi>();
        Thread t = new Thread(() -> {
            try {
                Jdbi jdbi = Jdbi.create(() -> pool.get().getConnection()).installPlugin(new PostgresPlugin());
                jdbi.getConfig(org.jdbi.v3.core.argument.Arguments.class);
                jdbi.getConfig(org.jdbi.v3.core.mapper.RowMappers.class);
                jdbi.getConfig(org.jdbi.v3.core.mapper.ColumnMappers.class);
                try {
                    // what the first statement initialises: Jdbi's JFR support (Flight Recorder's classes) and its SQL parser
                    Class.forName("org.jdbi.v3.core.statement.internal.JfrSupport", true, Jdbi.class.getClassLoader());
                    Class.forName("org.jdbi.v3.core.statement.ColonPrefixSqlParser", true, Jdbi.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    // another Jdbi version: only the head start is lost
                }
                made.complete(jdbi);
            } catch (RuntimeException | Error e) {
                made.completeExceptionally(e);
            }
        }, "billing-jdbi-setup");
        t.setDaemon(true);
        t.start();
        return made;
    }

    /**
     * @param url null for the embedded server
     * @param notice one-line messages for the user (stderr), e.g. where the embedded data lives
     */
    public static Database open(String url, Path dataDir, int poolSize, Consumer<String> notice) {
        return open(url, dataDir, poolSize, CONNECTION_TIMEOUT, notice);
    }

    /** @param connectionTimeout how long a query waits for a connection (tests of an outage shorten it) */
    public static Database open(String url, Path dataDir, int poolSize, Duration connectionTimeout, Consumer<String> notice) {
        var pool = new java.util.concurrent.atomic.AtomicReference<DataSource>();
        var jdbi = jdbiInBackground(pool);
        EmbeddedServer embedded = null;
        HikariConfig config = new HikariConfig();
        String description;
        if (url == null) {
            boolean durable = Boolean.parseBoolean(System.getProperty(DURABLE_PROPERTY, "true"));
            embedded = EmbeddedServer.start(dataDir, durable, notice);
            config.setJdbcUrl(embedded.jdbcUrl());
            config.setUsername("postgres");
            description = embedded.describe();
        } else {
            DatabaseUrl parsed = DatabaseUrl.parse(url);
            config.setJdbcUrl(parsed.jdbcUrl());
            if (parsed.user() != null) {
                config.setUsername(parsed.user());
            }
            if (parsed.password() != null) {
                config.setPassword(parsed.password());
            }
            description = parsed.display();
        }
        // pg_stat_activity names the process holding each connection (and db serve tells its own from others')
        config.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        config.setPoolName("billing");
        config.setConnectionTimeout(connectionTimeout.toMillis());
        // Fail here, with one clear line, rather than at the first query.
        config.setInitializationFailTimeout(Long.getLong(CONNECT_TIMEOUT_PROPERTY, 5_000L));
        try {
            HikariDataSource dataSource = new HikariDataSource(config);
            pool.set(dataSource);
            try {
                return new Database(embedded, dataSource, description, jdbi.join());
            } catch (RuntimeException e) {
                dataSource.close();
                throw e;
            }
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw BillingException.serviceFailed("cannot connect to " + description + ": " + rootMessage(e), e);
        }
    }

    /** Jdbi itself, for tests and benchmarks that set up rows directly; the code goes through {@link Tx}. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /** Work in one transaction: committed when {@code work} returns, rolled back when it throws. */
    public <T> T inTransaction(java.util.function.Function<Tx, T> work) {
        return jdbi.inTransaction(h -> work.apply(new Tx(h)));
    }

    /**
     * {@link #inTransaction}, tried again (up to 5 times) when PostgreSQL ended it for a deadlock or a
     * serialization failure: nothing of it was written. For work that runs beside other writers of the
     * same rows (sync's parallel pages).
     */
    public <T> T inTransactionRetryingConflicts(java.util.function.Function<Tx, T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return inTransaction(work);
            } catch (RuntimeException e) {
                if (attempt >= 5 || !conflict(e)) {
                    throw e;
                }
            }
        }
    }

    /** SQLSTATE 40P01 (deadlock detected) or 40001 (serialization failure) anywhere in the causes. */
    private static boolean conflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException sql && ("40P01".equals(sql.getSQLState()) || "40001".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    public void useTransaction(java.util.function.Consumer<Tx> work) {
        jdbi.useTransaction(h -> work.accept(new Tx(h)));
    }

    /** Work in a transaction that is rolled back whatever it did (a dry run through the real write path). */
    public <T> T rolledBack(java.util.function.Function<Tx, T> work) {
        return jdbi.inTransaction(h -> {
            T result = work.apply(new Tx(h));
            h.rollback();
            return result;
        });
    }

    /** The port of the embedded PostgreSQL running on this data directory (any process's), or null when none runs. */
    public static Integer runningEmbeddedPort(Path dataDir) {
        return EmbeddedServer.runningPort(dataDir.resolve("pg"));
    }

    /** What this process's connections are called in pg_stat_activity. */
    static final String APPLICATION_NAME = "billing " + ProcessHandle.current().pid();

    /** Client connections to this server from other processes (who else uses it). */
    public int otherClientConnections() {
        return jdbi.withHandle(h -> h.createQuery("""
                select count(*) from pg_stat_activity where backend_type = 'client backend' and application_name <> :mine""")
                .bind("mine", APPLICATION_NAME).mapTo(Integer.class).one());
    }

    /** One round trip: throws when the database does not answer. */
    public void ping() {
        jdbi.withHandle(h -> h.createQuery("select 1").mapTo(Integer.class).one());
    }

    /** Reads (autocommit, one connection). */
    public <T> T read(java.util.function.Function<Tx, T> work) {
        return jdbi.withHandle(h -> work.apply(new Tx(h)));
    }

    /** The pool right now: connections in use, open and free, threads waiting for one, and the most it opens. */
    public record PoolStats(int active, int idle, int waiting, int max) {}

    public PoolStats poolStats() {
        var pool = dataSource.getHikariPoolMXBean();
        if (pool == null) {
            return new PoolStats(0, 0, 0, dataSource.getMaximumPoolSize());
        }
        return new PoolStats(pool.getActiveConnections(), pool.getIdleConnections(), pool.getThreadsAwaitingConnection(),
                dataSource.getMaximumPoolSize());
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Where the database is, without credentials. */
    public String description() {
        return description;
    }

    private Flyway flyway() {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load();
    }

    /**
     * The newest migration this build ships. {@code DatabaseTest} checks it against the files in
     * {@code db/migration}, so it cannot drift.
     */
    public static final String SCHEMA_VERSION = "8";

    /**
     * Applies pending migrations; returns how many were applied. When the schema history already ends
     * at {@link #SCHEMA_VERSION}, one query answers and Flyway is not started: it scans the class path
     * for migrations, hundreds of milliseconds in a shaded jar, on every command that needs the database.
     */
    public int migrate() {
        if (upToDate()) {
            return 0;
        }
        try {
            return flyway().migrate().migrationsExecuted;
        } catch (FlywayException e) {
            throw BillingException.serviceFailed("database migration failed: " + rootMessage(e), e);
        }
    }

    private boolean upToDate() {
        try (var c = dataSource.getConnection();
                var st = c.prepareStatement("select version from flyway_schema_history where success and version is not null"
                        + " order by installed_rank desc limit 1")) {
            try (var rs = st.executeQuery()) {
                return rs.next() && SCHEMA_VERSION.equals(rs.getString(1));
            }
        } catch (java.sql.SQLException e) {
            return false; // no history table yet, or not readable: Flyway decides
        }
    }

    public record Migration(String version, String description, String state, Instant installedOn) {}

    public List<Migration> migrations() {
        try {
            MigrationInfo[] all = flyway().info().all();
            return java.util.Arrays.stream(all)
                    .map(m -> new Migration(m.getVersion() == null ? "" : m.getVersion().getVersion(), m.getDescription(),
                            m.getState().getDisplayName().toLowerCase(java.util.Locale.ROOT),
                            m.getInstalledOn() == null ? null : m.getInstalledOn().toInstant()))
                    .toList();
        } catch (FlywayException e) {
            throw BillingException.serviceFailed("cannot read the migration history: " + rootMessage(e), e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    @Override
    public void close() {
        dataSource.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
