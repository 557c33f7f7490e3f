package dev.billingcli.webhook;

import dev.billingcli.store.Database;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * webhook-serve's {@code /metrics}, in Prometheus text format (Micrometer's Prometheus registry, one per
 * server): events by type and outcome, handling latency (a histogram, buckets from 1 ms to 30 s), signature
 * failures, other rejections by status, and the database pool (connections in use, idle, waiting, max)
 * read from the pool at each scrape. Created only for webhook-serve: the other commands never load
 * Micrometer ({@code LoadOnlyWhatIsNeededTest}). Creating the registry takes about 0.2 s (class loading),
 * so webhook-serve starts it while the database opens ({@link #inBackground()}).
 */
final class WebhookMetrics {
    /**
     * The histogram's buckets (Prometheus {@code le}): a p99 over all instances is
     * {@code histogram_quantile(0.99, sum by (le) (rate(billing_webhook_handling_seconds_bucket[5m])))}; client-side
     * percentiles could not be added up across instances.
     */
    static final Duration[] BUCKETS = java.util.stream.LongStream.of(1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000)
            .mapToObj(Duration::ofMillis).toArray(Duration[]::new);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter signatureFailures;

    WebhookMetrics() {
        signatureFailures = Counter.builder("billing.webhook.signature.failures")
                .description("Deliveries refused for a missing, malformed, unknown or out-of-tolerance signature (400)")
                .register(registry);
    }

    /** A registry made on a thread of its own, from now on. */
    static java.util.concurrent.CompletableFuture<WebhookMetrics> inBackground() {
        java.util.concurrent.CompletableFuture<WebhookMetrics> made = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                made.complete(new WebhookMetrics());
            } catch (RuntimeException | Error e) {
                made.completeExceptionally(e);
            }
        }, "webhook-metrics-init");
        t.setDaemon(true);
        t.start();
        return made;
    }

    /** The database pool's gauges, read at each scrape. */
    WebhookMetrics pool(Database database) {
        Gauge.builder("billing.db.pool.connections.active", database, d -> d.poolStats().active())
                .description("Database connections in use").register(registry);
        Gauge.builder("billing.db.pool.connections.idle", database, d -> d.poolStats().idle())
                .description("Database connections open and free").register(registry);
        Gauge.builder("billing.db.pool.connections.pending", database, d -> d.poolStats().waiting())
                .description("Threads waiting for a database connection").register(registry);
        Gauge.builder("billing.db.pool.connections.max", database, d -> d.poolStats().max())
                .description("Largest number of database connections the pool opens").register(registry);
        return this;
    }

    /** An event that reached the processor: {@code outcome} is the stored outcome, or "unavailable" (503). */
    void event(String type, String outcome, long nanos) {
        Counter.builder("billing.webhook.events").description("Signed events received, by type and outcome")
                .tag("type", type).tag("outcome", outcome).register(registry).increment();
        Timer.builder("billing.webhook.handling").description("From the request's headers to its answer, signed events only")
                .tag("outcome", outcome)
                .serviceLevelObjectives(BUCKETS)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A request refused before anything was stored. */
    void rejected(int status, boolean signature) {
        if (signature) {
            signatureFailures.increment();
        }
        Counter.builder("billing.webhook.rejections").description("Deliveries refused before anything was stored, by HTTP status")
                .tag("status", Integer.toString(status)).register(registry).increment();
    }

    String scrape() {
        return registry.scrape();
    }
}
