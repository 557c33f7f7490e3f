package dev.billingcli.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.billingcli.BillingException;
import dev.billingcli.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The HTTP listener Stripe delivers to (the JDK's server: starts in milliseconds, no dependency).
 * Answers: 400 missing or malformed signature header, bad signature, timestamp out of tolerance, body not
 * JSON or not an event; 413 body over 1 MiB; 405 other methods; 404 other paths; 503 database unavailable
 * (Stripe retries); 500 a handler failed (stored as failed; Stripe's retry tries again); 200 otherwise,
 * duplicates and unknown types included. A rejected request writes nothing. {@code GET /healthz} is 200
 * while the process serves (liveness); {@code GET /readyz} is 503 while the database does not answer or
 * while the server drains before it stops (readiness); {@code GET /metrics} is Prometheus text.
 *
 * <p>Exposed to anyone: every connection has its own thread (up to {@link Limits#maxConnections()}), so a
 * client that stalls its headers or its body holds only its own thread, never one of the
 * {@link Config#threads()} that work on the database; and the JDK server drops it once its request has
 * taken {@link Limits#requestTimeout()} to arrive.
 */
public final class WebhookServer implements AutoCloseable {
    public static final int MAX_BODY = 1024 * 1024;

    /**
     * What a client may hold, enforced by the JDK server itself ({@code sun.net.httpserver.*} properties, read
     * once per JVM when its first HttpServer is created).
     *
     * @param requestTimeout the whole request (line, headers and body) must have arrived within it, counted from
     *     the connection's accept, or from the first byte of the next request on a kept-alive connection
     *     ({@code sun.net.httpserver.maxReqTime}: the JDK moves a connection on when the body's last byte is read);
     *     whole seconds
     * @param responseTimeout from the request's last byte: its handling and its answer must be done within it
     *     ({@code sun.net.httpserver.maxRspTime}; a safety net for a client that does not read); whole seconds
     * @param maxConnections open connections; more are closed at accept ({@code jdk.httpserver.maxConnections})
     * @param maxHeaderBytes request headers, names and values ({@code sun.net.httpserver.maxReqHeaderSize})
     * @param idleTimeout a kept-alive connection with no request is closed after it ({@code sun.net.httpserver.idleInterval})
     */
    public record Limits(Duration requestTimeout, Duration responseTimeout, int maxConnections, int maxHeaderBytes, Duration idleTimeout) {
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(10), Duration.ofSeconds(30), 200, 16 * 1024,
                Duration.ofSeconds(30));
        /** Headers per request (Stripe sends about ten). */
        public static final int MAX_HEADERS = 100;
        /** How often the JDK server looks for connections over their time (the bounds are this much late at most). */
        public static final Duration CHECK_EVERY = Duration.ofMillis(250);

        Map<String, String> jdkProperties() {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("sun.net.httpserver.maxReqTime", Long.toString(Math.max(1, requestTimeout.toSeconds())));
            p.put("sun.net.httpserver.maxRspTime", Long.toString(Math.max(1, responseTimeout.toSeconds())));
            p.put("sun.net.httpserver.timerMillis", Long.toString(CHECK_EVERY.toMillis()));
            p.put("jdk.httpserver.maxConnections", Integer.toString(maxConnections));
            p.put("sun.net.httpserver.maxIdleConnections", Integer.toString(Math.min(200, maxConnections)));
            p.put("sun.net.httpserver.idleInterval", Long.toString(Math.max(1, idleTimeout.toSeconds())));
            p.put("sun.net.httpserver.maxReqHeaderSize", Integer.toString(maxHeaderBytes));
            p.put("sun.net.httpserver.maxReqHeaders", Integer.toString(MAX_HEADERS));
            // Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
            // client's delayed ACK add ~40 ms to every answer.
            p.put("sun.net.httpserver.nodelay", "true");
            return p;
        }
    }

    public enum LogFormat { TEXT, JSON }

    /**
     * @param threads handlers working on the database at once (each holds at most one database connection)
     * @param logFormat TEXT: the line without its time (the caller adds it); JSON: one object, time included
     */
    public record Config(String host, int port, String path, List<String> secrets, Duration tolerance, int threads, Limits limits,
            LogFormat logFormat) {
        public Config(String host, int port, String path, List<String> secrets, Duration tolerance, int threads) {
            this(host, port, path, secrets, tolerance, threads, Limits.DEFAULT, LogFormat.TEXT);
        }
    }

    /** The JDK server's bounds in force in this JVM (they are read once, when its first HttpServer is created). */
    private static final AtomicReference<Limits> APPLIED = new AtomicReference<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Config config;
    private final SignatureVerifier verifier;
    private final EventProcessor processor;
    /** Deliveries that arrive together share one transaction and one commit (from {@link #start}). */
    private GroupCommit commits;
    private final Database database;
    private final Consumer<String> log;
    private HttpServer server;
    private ThreadPoolExecutor executor;
    /** Permits to work on the database: {@link Config#threads()}. Reading a body takes none. */
    private final Semaphore handling;
    private final CompletableFuture<WebhookMetrics> metricsReady;
    private WebhookMetrics metrics;
    private ExecutorService pinger;
    /** The readiness probe's database round trip, in flight or last (at most one at a time). */
    private CompletableFuture<Boolean> ping;
    /** Set from the stop request on: /readyz answers 503 so that a load balancer sends no more. */
    private volatile boolean draining;
    /** Requests handed to the request threads and not finished yet (guarded by itself). */
    private final int[] inFlight = {0};

    /** @param log one line per event or rejection (stderr) */
    public WebhookServer(Config config, EventProcessor processor, Database database, Consumer<String> log, Clock clock) {
        this(config, processor, database, log, clock, prepareMetrics());
    }

    /** The metrics registry being made on a thread of its own (about 0.2 s of class loading). */
    public static final class PreparedMetrics {
        private final CompletableFuture<WebhookMetrics> made = WebhookMetrics.inBackground();

        private PreparedMetrics() {}
    }

    /** Starts making the metrics registry now: webhook-serve does it while its database opens. */
    public static PreparedMetrics prepareMetrics() {
        return new PreparedMetrics();
    }

    /** @param metrics from {@link #prepareMetrics()} */
    public WebhookServer(Config config, EventProcessor processor, Database database, Consumer<String> log, Clock clock,
            PreparedMetrics metrics) {
        this.metricsReady = metrics.made;
        this.config = config;
        this.verifier = new SignatureVerifier(config.secrets(), config.tolerance(), clock);
        this.processor = processor;
        this.database = database;
        this.log = log;
        this.handling = new Semaphore(config.threads());
    }

    /**
     * Sets the JDK server's bounds before its first HttpServer of this JVM exists (they are read only then);
     * a later server with other bounds keeps the first ones, and says so.
     */
    private void applyLimits() {
        Limits wanted = config.limits();
        if (APPLIED.compareAndSet(null, wanted)) {
            wanted.jdkProperties().forEach(System::setProperty);
        } else if (!APPLIED.get().equals(wanted)) {
            String note = "the JDK server reads its bounds once per JVM; those of this JVM's first webhook-serve apply: " + APPLIED.get();
            logLine(line -> line.put("note", note), "note: " + note);
        }
    }

    /** Binds and starts serving; exit 3 with one line when the port is taken. */
    public WebhookServer start() {
        applyLimits();
        try {
            server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 256);
        } catch (BindException e) {
            throw BillingException.serviceFailed("cannot listen on " + config.host() + ":" + config.port()
                    + ": the port is taken (another webhook-serve?); choose one with --port", e);
        } catch (IOException e) {
            throw BillingException.serviceFailed("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        metrics = metricsReady.join().pool(database);
        commits = new GroupCommit(processor, Math.min(config.threads(), GroupCommit.LANES));
        // One thread per exchange, made on demand up to the connection bound (plus the database threads, for
        // the moment a finished thread takes to return): the JDK server reads a request's line and headers on
        // the executor's thread, and its body in the handler, both blocking, so a client that stalls holds the
        // thread it is on. With a fixed pool of 16, 16 stalled clients stopped every answer.
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(config.threads(), config.limits().maxConnections() + config.threads(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "webhook-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pinger = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "webhook-readiness");
            t.setDaemon(true);
            return t;
        });
        // Counts each request from the moment the server hands it over until its answer is written: the
        // JDK's HttpServer.stop(delay) waits the whole delay even when nothing is in flight (JDK-8304065,
        // fixed in 21), so stop() waits on this count instead. A task refused here (over the thread bound)
        // makes the JDK server close that connection.
        server.setExecutor(task -> {
            synchronized (inFlight) {
                inFlight[0]++;
            }
            try {
                executor.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        finished();
                    }
                });
            } catch (RuntimeException e) {
                finished();
                throw e;
            }
        });
        server.createContext("/", this::serve);
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://" + config.host() + ":" + port() + config.path();
    }

    private void finished() {
        synchronized (inFlight) {
            inFlight[0]--;
            inFlight.notifyAll();
        }
    }

    /**
     * Stops accepting, lets requests in flight finish (up to {@code drain}), then stops: at once when
     * nothing is in flight.
     */
    public void stop(Duration drain) {
        stop(Duration.ZERO, drain);
    }

    /** /readyz answers 503 from now on (the first step of a stop; the notice that says so comes after it). */
    public void unready() {
        draining = true;
    }

    /**
     * Answers 503 on /readyz from now on, keeps serving everything else for {@code unready} (time for a load
     * balancer to take this instance out), then stops as {@link #stop(Duration)} does.
     */
    public void stop(Duration unready, Duration drain) {
        if (server == null) {
            return;
        }
        unready();
        if (!unready.isZero()) {
            try {
                Thread.sleep(unready.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stop at once
            }
        }
        HttpServer stopping = server;
        server = null;
        // The JDK's stop closes the listening socket first, then waits up to the delay: run it aside so
        // that this thread can end the wait as soon as the last request in flight has its answer.
        Thread closer = new Thread(() -> stopping.stop((int) Math.max(1, drain.toSeconds())), "webhook-stop");
        closer.setDaemon(true);
        closer.start();
        long deadline = System.nanoTime() + drain.toNanos();
        boolean interrupted = false;
        synchronized (inFlight) {
            for (long left; inFlight[0] > 0 && (left = deadline - System.nanoTime()) > 0;) {
                try {
                    inFlight.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
        }
        stopping.stop(0); // ends the waiting stop above, closes the connections left, ends the dispatcher
        executor.shutdown();
        commits.close();
        pinger.shutdownNow();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            if (path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics")) {
                if (!method.equals("GET")) {
                    ex.getResponseHeaders().set("Allow", "GET");
                    answer(ex, 405, "{\"error\":\"method not allowed\"}");
                } else if (path.equals("/healthz")) {
                    answer(ex, 200, "{\"status\":\"ok\"}");
                } else if (path.equals("/readyz")) {
                    ready(ex);
                } else {
                    answer(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                }
            } else if (!path.equals(config.path())) {
                answer(ex, 404, "{\"error\":\"not found\"}");
            } else if (!method.equals("POST")) {
                ex.getResponseHeaders().set("Allow", "POST");
                answer(ex, 405, "{\"error\":\"method not allowed\"}");
            } else {
                deliver(ex);
            }
        }
    }

    /** How long /readyz waits for the database's answer before it says 503 (a probe's own timeout is often 1 s). */
    static final Duration READY_WAIT = Duration.ofMillis(800);

    private void ready(HttpExchange ex) throws IOException {
        if (draining) {
            answer(ex, 503, "{\"status\":\"draining\"}");
        } else if (!databaseAnswers()) {
            answer(ex, 503, "{\"status\":\"database unavailable\"}");
        } else {
            answer(ex, 200, "{\"status\":\"ready\"}");
        }
    }

    /**
     * One round trip to the database, waited for up to {@link #READY_WAIT}: with the database down, the pool
     * waits its whole connection timeout (5 s) before it fails. Probes that come while one is out share it.
     */
    private boolean databaseAnswers() {
        CompletableFuture<Boolean> answer;
        synchronized (this) {
            if (ping == null || ping.isDone()) {
                ping = CompletableFuture.supplyAsync(() -> {
                    try {
                        database.ping();
                        return true;
                    } catch (RuntimeException e) {
                        return false;
                    }
                }, pinger);
            }
            answer = ping;
        }
        try {
            return answer.get(READY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void deliver(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        byte[] body;
        boolean signatureFailure = false;
        try {
            body = readBody(ex);
            int secret;
            try {
                secret = verifier.verify(ex.getRequestHeaders().getFirst("Stripe-Signature"), body);
            } catch (Rejection r) {
                signatureFailure = true;
                metrics.rejected(r.status(), true);
                throw r;
            }
            StripeEvent event = StripeEvent.parse(body);
            EventProcessor.Result r;
            try {
                handling.acquireUninterruptibly();
                try {
                    r = commits.process(event);
                } finally {
                    handling.release();
                }
            } catch (EventProcessor.Unavailable e) {
                metrics.event(event.type(), "unavailable", System.nanoTime() - start);
                logLine(line -> line.put("id", event.id()).put("type", event.type()).put("outcome", "unavailable").put("status", 503)
                        .put("ms", ms(start)).put("note", e.getMessage()),
                        event.id() + " " + event.type() + " not stored: " + e.getMessage() + " → 503 " + msText(start));
                answer(ex, 503, "{\"error\":\"database unavailable, retry later\"}");
                return;
            }
            int status = r.outcome() == Outcome.FAILED ? 500 : 200;
            metrics.event(r.type(), r.outcome().wire(), System.nanoTime() - start);
            logLine(line -> line.put("id", r.eventId()).put("type", r.type()).put("account", r.accountId()).put("outcome", r.outcome().wire())
                    .put("status", status).put("ms", ms(start)).put("secret", secret + 1)
                    .put("note", r.outcome() == Outcome.FAILED ? r.note() : null),
                    r.eventId() + " " + r.type() + " account=" + (r.accountId() == null ? "-" : r.accountId()) + " "
                    + r.outcome().wire() + " " + msText(start) + " (secret #" + (secret + 1) + ")"
                    + (r.outcome() == Outcome.FAILED ? ": " + r.note() : ""));
            answer(ex, status, "{\"received\":true,\"outcome\":\"" + r.outcome().wire() + "\"}");
        } catch (Rejection r) {
            if (r.status() == 413) {
                discardRest(ex);
            }
            if (!signatureFailure) {
                metrics.rejected(r.status(), false);
            }
            String from = ex.getRemoteAddress().getAddress().getHostAddress();
            logLine(line -> line.put("outcome", "rejected").put("status", r.status()).put("ms", ms(start)).put("note", r.getMessage())
                    .put("from", from),
                    "rejected " + r.status() + ": " + r.getMessage() + " (from " + from + ")");
            answer(ex, r.status(), "{\"error\":\"" + r.getMessage().replace("\"", "'") + "\"}");
        }
    }

    /** A fluent map for one JSON log line. */
    private static final class Line {
        final Map<String, Object> fields = new LinkedHashMap<>();

        Line put(String key, Object value) {
            fields.put(key, value);
            return this;
        }
    }

    /** One line per request: {@code text} as it is, or the same information as one JSON object with its time. */
    private void logLine(java.util.function.UnaryOperator<Line> json, String text) {
        if (config.logFormat() == LogFormat.TEXT) {
            log.accept(text);
            return;
        }
        Line line = new Line().put("time", Instant.now().toString());
        json.apply(line);
        try {
            log.accept(JSON.writeValueAsString(line.fields));
        } catch (JsonProcessingException e) {
            log.accept(text); // strings and numbers only: does not happen
        }
    }

    private static byte[] readBody(HttpExchange ex) throws IOException, Rejection {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > MAX_BODY) {
                    throw new Rejection(413, "body over 1 MiB");
                }
            } catch (NumberFormatException e) {
                throw new Rejection(400, "bad Content-Length");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw new Rejection(413, "body over 1 MiB");
            }
            return body;
        }
    }

    /**
     * Reads what is left of an oversized body (up to a limit) so that the client, still sending, reads
     * the 413 instead of a connection reset; the connection is closed afterwards.
     */
    private static void discardRest(HttpExchange ex) {
        ex.getResponseHeaders().set("Connection", "close");
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = ex.getRequestBody()) {
            long left = 16L * MAX_BODY;
            for (int n; left > 0 && (n = in.read(buffer)) > 0;) {
                left -= n;
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    private static double ms(long start) {
        return Math.round((System.nanoTime() - start) / 1e5) / 10.0;
    }

    private static String msText(long start) {
        return String.format(Locale.ROOT, "%.1f ms", (System.nanoTime() - start) / 1e6);
    }

    private static void answer(HttpExchange ex, int status, String json) throws IOException {
        answer(ex, status, "application/json", json);
    }

    private static void answer(HttpExchange ex, int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
