package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.BillingException;
import dev.billingcli.ExitCode;
import dev.billingcli.webhook.WebhookServer;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "webhook-serve",
        description = {"Receive Stripe's events: verify the signature, store each event once and apply it in the same transaction.",
            "Secrets from STRIPE_WEBHOOK_SECRET (comma-separated, for rotation) or --secret; none → refuses to start.",
            "With a Stripe key, ties between events of one second are settled by fetching the subscription.",
            "One line per event on stderr (--log-format json: one JSON object a line); SIGTERM finishes the requests in flight, then stops.",
            "GET /healthz: 200 while serving (liveness). GET /readyz: 503 while the database is down or while stopping (readiness).",
            "GET /metrics: Prometheus text (events by type and outcome, handling latency, signature failures, database pool).",
            "A client whose request (headers and body) takes over --request-timeout to arrive is disconnected."},
        footerHeading = "%nExamples:%n",
        footer = {"  STRIPE_WEBHOOK_SECRET=whsec_… billing webhook-serve --port 4242",
            "  stripe listen --forward-to localhost:4242/webhook   # then use the secret it prints"})
final class WebhookServeCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST", description = "Address to listen on [default: ${DEFAULT-VALUE}].")
    String host;

    @Option(names = "--port", defaultValue = "4242", paramLabel = "PORT", description = "Port [default: ${DEFAULT-VALUE}; 0: any free port].")
    int port;

    @Option(names = "--path", defaultValue = "/webhook", paramLabel = "PATH", description = "Path Stripe posts to [default: ${DEFAULT-VALUE}].")
    String path;

    @Option(names = "--secret", paramLabel = "WHSEC", description = "A signing secret (repeatable); replaces STRIPE_WEBHOOK_SECRET.")
    List<String> secrets;

    @Option(names = "--tolerance", defaultValue = "300", paramLabel = "SECONDS",
            description = "Largest age (and clock skew into the future) of a signature [default: ${DEFAULT-VALUE}].")
    long toleranceSeconds;

    @Option(names = "--threads", defaultValue = "16", paramLabel = "N", hidden = true,
            description = "Requests working on the database at once (the pool has as many connections, at most 16).")
    int threads;

    @Option(names = "--drain", defaultValue = "10", paramLabel = "SECONDS", hidden = true, description = "How long SIGTERM waits for requests in flight.")
    int drainSeconds;

    @Option(names = "--shutdown-delay", defaultValue = "0", paramLabel = "SECONDS",
            description = "After SIGTERM, answer 503 on /readyz and keep serving this long before closing the listener,"
                    + " so that a load balancer takes this instance out first [default: ${DEFAULT-VALUE}].")
    int shutdownDelaySeconds;

    @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json",
            description = "One line per request on stderr: text, or one JSON object (time, id, type, account, outcome, status, ms,"
                    + " secret, note) [default: ${DEFAULT-VALUE}].")
    String logFormat;

    @Option(names = "--request-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "A request's line, headers and body must all arrive within this (counted from the connection's accept,"
                    + " or from the next request's first byte), or the connection is closed [default: ${DEFAULT-VALUE}].")
    int requestTimeoutSeconds;

    @Option(names = "--response-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "From a request's last byte, its handling and answer must be done within this, or the connection is"
                    + " closed [default: ${DEFAULT-VALUE}].")
    int responseTimeoutSeconds;

    @Option(names = "--max-connections", defaultValue = "200", paramLabel = "N",
            description = "Open connections; more are closed as they arrive [default: ${DEFAULT-VALUE}].")
    int maxConnections;

    @Option(names = "--max-header-bytes", defaultValue = "16384", paramLabel = "BYTES",
            description = "Largest request headers; with larger ones the connection is closed, no answer [default: ${DEFAULT-VALUE}].")
    int maxHeaderBytes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!path.startsWith("/")) {
            throw BillingException.invalid("--path must start with /, got " + path);
        }
        if (port < 0 || port > 65535 || toleranceSeconds <= 0 || threads < 1) {
            throw BillingException.invalid("--port must be 0-65535, --tolerance and --threads positive");
        }
        if (requestTimeoutSeconds < 1 || responseTimeoutSeconds < 1 || maxConnections < 1 || maxHeaderBytes < 1024 || shutdownDelaySeconds < 0) {
            throw BillingException.invalid("--request-timeout, --response-timeout and --max-connections must be positive,"
                    + " --max-header-bytes at least 1024, --shutdown-delay 0 or more");
        }
        WebhookServer.LogFormat format = switch (logFormat) {
            case "text" -> WebhookServer.LogFormat.TEXT;
            case "json" -> WebhookServer.LogFormat.JSON;
            default -> throw BillingException.invalid("--log-format must be text or json, got " + logFormat);
        };
        WebhookServer.Limits limits = new WebhookServer.Limits(Duration.ofSeconds(requestTimeoutSeconds), Duration.ofSeconds(responseTimeoutSeconds),
                maxConnections, maxHeaderBytes, WebhookServer.Limits.DEFAULT.idleTimeout());
        App app = Commands.app(spec);
        List<String> keys = app.webhookSecrets(secrets);
        app.databasePoolSize(Math.max(2, Math.min(threads, 16)));
        PrintWriter err = spec.commandLine().getErr();
        WebhookServer server = app.webhookServer(
                new WebhookServer.Config(host, port, path, keys, Duration.ofSeconds(toleranceSeconds), threads, limits, format), line -> {
                    synchronized (err) {
                        err.println(format == WebhookServer.LogFormat.JSON ? line : Instant.now() + " " + line);
                        err.flush();
                    }
                }, Clock.systemUTC()).start();
        // SIGTERM and Ctrl-C (as a process of its own: the shell has its own Ctrl-C) end the wait below, and
        // the stop goes in order: no new connections, the requests in flight finish, then the pool closes,
        // then the embedded PostgreSQL stops. Left to the JVM's shutdown, the embedded server's own shutdown
        // hook would stop PostgreSQL at once, under the requests still in flight.
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        List<Runnable> restoreSignals = BillingCommand.inShell(spec) ? List.of() : StopSignals.install(stopRequested::countDown);
        // Any other end of the JVM (SIGHUP, an exit elsewhere): the same stop, as well as it can be done.
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            try {
                closed.await(shutdownDelaySeconds + drainSeconds + 5L, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "webhook-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // only now "listening": whoever waits for it may stop the server at once
        app.notice("webhook-serve listening on " + server.url() + " (" + keys.size() + " signing secret(s); "
                + (app.settings().stripeKey() != null ? "same-second ties settled by fetching from Stripe" : "no Stripe key") + ")");
        try {
            stopRequested.await();
            server.unready();
            app.notice("webhook-serve stopping: /readyz answers 503" + (shutdownDelaySeconds > 0 ? "; serving " + shutdownDelaySeconds
                    + " s more, then" : ";") + " no new connections, finishing the requests in flight (up to " + drainSeconds + " s)");
            server.stop(Duration.ofSeconds(shutdownDelaySeconds), Duration.ofSeconds(drainSeconds));
        } catch (InterruptedException e) {
            // in-process callers (tests) stop the server by interrupting the command's thread
            server.stop(Duration.ofSeconds(1));
        } finally {
            app.close();
            app.notice("webhook-serve stopped");
            closed.countDown();
            removeHook(hook);
            restoreSignals.forEach(Runnable::run);
        }
        return ExitCode.OK;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: nothing to remove
        }
    }
}
