package dev.billingcli.webhook;

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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The HTTP listener Stripe delivers to (the JDK's server: starts in milliseconds, no dependency).
 * Answers: 400 missing or malformed signature header, bad signature, timestamp out of tolerance, body not
 * JSON or not an event; 413 body over 1 MiB; 405 other methods; 404 other paths; 503 database unavailable
 * (Stripe retries); 500 a handler failed (stored as failed; Stripe's retry tries again); 200 otherwise,
 * duplicates and unknown types included. A rejected request writes nothing. {@code GET /healthz} is 200
 * when the database answers.
 */
public final class WebhookServer implements AutoCloseable {
    public static final int MAX_BODY = 1024 * 1024;

    /** @param threads request threads (each holds at most one database connection at a time) */
    public record Config(String host, int port, String path, List<String> secrets, Duration tolerance, int threads) {}

    private final Config config;
    private final SignatureVerifier verifier;
    private final EventProcessor processor;
    private final Database database;
    private final Consumer<String> log;
    private HttpServer server;
    private ExecutorService executor;
    /** Requests handed to the request threads and not finished yet (guarded by itself). */
    private final int[] inFlight = {0};

    /** @param log one line per event or rejection (stderr) */
    public WebhookServer(Config config, EventProcessor processor, Database database, Consumer<String> log, Clock clock) {
        this.config = config;
        this.verifier = new SignatureVerifier(config.secrets(), config.tolerance(), clock);
        this.processor = processor;
        this.database = database;
        this.log = log;
    }

    /** Binds and starts serving; exit 3 with one line when the port is taken. */
    public WebhookServer start() {
        // Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
        // client's delayed ACK add ~40 ms to every answer. Read once, when the JDK server first starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 256);
        } catch (BindException e) {
            throw BillingException.serviceFailed("cannot listen on " + config.host() + ":" + config.port()
                    + ": the port is taken (another webhook-serve?); choose one with --port", e);
        } catch (IOException e) {
            throw BillingException.serviceFailed("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        executor = Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "webhook");
            t.setDaemon(true);
            return t;
        });
        // Counts each request from the moment the server hands it over until its answer is written: the
        // JDK's HttpServer.stop(delay) waits the whole delay even when nothing is in flight (JDK-8304065,
        // fixed in 21), so stop() waits on this count instead.
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
        if (server == null) {
            return;
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
            if (path.equals("/healthz")) {
                health(ex, method);
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

    private void health(HttpExchange ex, String method) throws IOException {
        if (!method.equals("GET")) {
            ex.getResponseHeaders().set("Allow", "GET");
            answer(ex, 405, "{\"error\":\"method not allowed\"}");
            return;
        }
        try {
            database.ping();
            answer(ex, 200, "{\"status\":\"ok\"}");
        } catch (RuntimeException e) {
            answer(ex, 503, "{\"status\":\"database unavailable\"}");
        }
    }

    private void deliver(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        byte[] body;
        try {
            body = readBody(ex);
            int secret = verifier.verify(ex.getRequestHeaders().getFirst("Stripe-Signature"), body);
            StripeEvent event = StripeEvent.parse(body);
            EventProcessor.Result r;
            try {
                r = processor.process(event);
            } catch (EventProcessor.Unavailable e) {
                log.accept(event.id() + " " + event.type() + " not stored: " + e.getMessage() + " → 503 " + ms(start));
                answer(ex, 503, "{\"error\":\"database unavailable, retry later\"}");
                return;
            }
            log.accept(r.eventId() + " " + r.type() + " account=" + (r.accountId() == null ? "-" : r.accountId()) + " "
                    + r.outcome().wire() + " " + ms(start) + " (secret #" + (secret + 1) + ")"
                    + (r.outcome() == Outcome.FAILED ? ": " + r.note() : ""));
            answer(ex, r.outcome() == Outcome.FAILED ? 500 : 200, "{\"received\":true,\"outcome\":\"" + r.outcome().wire() + "\"}");
        } catch (Rejection r) {
            if (r.status() == 413) {
                discardRest(ex);
            }
            log.accept("rejected " + r.status() + ": " + r.getMessage() + " (from " + ex.getRemoteAddress().getAddress().getHostAddress() + ")");
            answer(ex, r.status(), "{\"error\":\"" + r.getMessage().replace("\"", "'") + "\"}");
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

    private static String ms(long start) {
        return String.format(Locale.ROOT, "%.1f ms", (System.nanoTime() - start) / 1e6);
    }

    private static void answer(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
