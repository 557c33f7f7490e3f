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
            "One line per event on stderr; SIGTERM finishes the requests in flight, then stops."},
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

    @Option(names = "--threads", defaultValue = "16", paramLabel = "N", hidden = true, description = "Request threads.")
    int threads;

    @Option(names = "--drain", defaultValue = "10", paramLabel = "SECONDS", hidden = true, description = "How long SIGTERM waits for requests in flight.")
    int drainSeconds;

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
        App app = Commands.app(spec);
        List<String> keys = app.webhookSecrets(secrets);
        app.databasePoolSize(Math.max(2, Math.min(threads, 16)));
        PrintWriter err = spec.commandLine().getErr();
        WebhookServer server = app.webhookServer(
                new WebhookServer.Config(host, port, path, keys, Duration.ofSeconds(toleranceSeconds), threads), line -> {
                    synchronized (err) {
                        err.println(Instant.now() + " " + line);
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
                closed.await(drainSeconds + 5L, TimeUnit.SECONDS);
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
            app.notice("webhook-serve stopping: no new connections, finishing the requests in flight (up to " + drainSeconds + " s)");
            server.stop(Duration.ofSeconds(drainSeconds));
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
