package dev.billingcli.webhook;

import static dev.billingcli.webhook.TestEvents.T0;
import static dev.billingcli.webhook.TestEvents.event;
import static dev.billingcli.webhook.TestEvents.subscription;
import static dev.billingcli.webhook.WebhookServerTest.SECRET;
import static dev.billingcli.webhook.WebhookServerTest.post;
import static dev.billingcli.webhook.WebhookServerTest.sign;
import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.TestPostgres;
import dev.billingcli.store.Database;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What webhook-serve offers a load balancer and a monitoring system: /metrics, /readyz while draining,
 * the JSON log. (/readyz while the database is down: {@link WebhookServerTest}, which stops one.)
 */
class WebhookEndpointsTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private Database database(String url) {
        Database db = TestEvents.database(url);
        open.add(db);
        return db;
    }

    private WebhookServer server(Database db) {
        return server(db, WebhookServer.LogFormat.TEXT);
    }

    private WebhookServer server(Database db, WebhookServer.LogFormat format) {
        WebhookServer s = new WebhookServer(new WebhookServer.Config("127.0.0.1", 0, "/webhook", List.of("whsec_old", SECRET),
                SignatureVerifier.DEFAULT_TOLERANCE, 8, WebhookServer.Limits.DEFAULT, format),
                new EventProcessor(db, TestEvents.catalog(), null), db, log::add, Clock.systemUTC()).start();
        open.add(s);
        return s;
    }

    private HttpResponse<String> deliver(WebhookServer s, String body) {
        return post(http, s.url(), body, sign(body));
    }

    private HttpResponse<String> get(WebhookServer s, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void metricsInPrometheusTextCountEventsSignatureFailuresRejectionsLatencyAndThePool() {
        Database db = database(TestPostgres.newDatabaseUrl());
        WebhookServer s = server(db);
        String body = event("evt_m1", "customer.subscription.created", T0, subscription("sub_m1", "cus_m1", "pro_monthly", "active"));
        assertThat(deliver(s, body).statusCode()).isEqualTo(200);
        assertThat(deliver(s, body).statusCode()).isEqualTo(200);
        assertThat(post(http, s.url(), body, "t=1,v1=00").statusCode()).isEqualTo(400);
        assertThat(post(http, s.url(), body, null).statusCode()).isEqualTo(400);
        assertThat(deliver(s, "not json").statusCode()).isEqualTo(400);
        var metrics = get(s, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body().lines().toList()).contains(
                "# TYPE billing_webhook_events_total counter",
                "billing_webhook_events_total{outcome=\"applied\",type=\"customer.subscription.created\"} 1.0",
                "billing_webhook_events_total{outcome=\"duplicate\",type=\"customer.subscription.created\"} 1.0",
                "billing_webhook_signature_failures_total 2.0",
                "billing_webhook_rejections_total{status=\"400\"} 3.0",
                "# TYPE billing_webhook_handling_seconds histogram",
                "billing_webhook_handling_seconds_bucket{outcome=\"applied\",le=\"30.0\"} 1",
                "billing_webhook_handling_seconds_bucket{outcome=\"applied\",le=\"+Inf\"} 1",
                "billing_webhook_handling_seconds_count{outcome=\"applied\"} 1",
                "# TYPE billing_db_pool_connections_active gauge",
                "billing_db_pool_connections_max 6.0")
                .anyMatch(l -> l.startsWith("billing_webhook_handling_seconds_bucket{outcome=\"applied\",le=\"0.001\"} "))
                .anyMatch(l -> l.matches("billing_db_pool_connections_active [0-9.]+"))
                .anyMatch(l -> l.matches("billing_db_pool_connections_idle [0-9.]+"))
                .anyMatch(l -> l.matches("billing_db_pool_connections_pending [0-9.]+"));
        assertThat(post(http, "http://127.0.0.1:" + s.port() + "/metrics", "", null).statusCode()).isEqualTo(405);
    }

    @Test
    void readyzIs503WhileDrainingWhileHealthzAndDeliveriesGoOn() throws Exception {
        Database db = database(TestPostgres.newDatabaseUrl());
        WebhookServer s = server(db);
        assertThat(get(s, "/readyz").statusCode()).isEqualTo(200);
        assertThat(get(s, "/healthz").statusCode()).isEqualTo(200);
        // SIGTERM with --shutdown-delay: a long delay, ended below by an interrupt (the command's own way to stop at once)
        Thread stopping = new Thread(() -> s.stop(Duration.ofSeconds(60), Duration.ofSeconds(5)), "test-stop");
        stopping.start();
        try {
            HttpResponse<String> ready = get(s, "/readyz");
            for (int i = 0; i < 200 && ready.statusCode() == 200; i++) {
                ready = get(s, "/readyz"); // until the stop has begun
            }
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("draining");
            assertThat(get(s, "/healthz").statusCode()).as("still live").isEqualTo(200);
            String body = event("evt_d1", "customer.subscription.created", T0, subscription("sub_d1", "cus_d1", "pro_monthly", "active"));
            assertThat(deliver(s, body).statusCode()).as("still serving until the listener closes").isEqualTo(200);
        } finally {
            stopping.interrupt();
            stopping.join(10_000);
        }
        assertThat(stopping.isAlive()).isFalse();
    }

    @Test
    void jsonLogHasOneObjectPerRequestWithTheTextLinesInformation() throws Exception {
        Database db = database(TestPostgres.newDatabaseUrl());
        WebhookServer s = server(db, WebhookServer.LogFormat.JSON);
        String body = event("evt_j1", "customer.subscription.created", T0, subscription("sub_j1", "cus_j1", "pro_monthly", "active"));
        assertThat(deliver(s, body).statusCode()).isEqualTo(200);
        assertThat(post(http, s.url(), body, SignatureVerifier.sign(SECRET, 1, body.getBytes(StandardCharsets.UTF_8))).statusCode())
                .isEqualTo(400);
        List<com.fasterxml.jackson.databind.JsonNode> lines = new ArrayList<>();
        for (String l : log) {
            lines.add(TestEvents.JSON.readTree(l));
        }
        assertThat(lines).hasSize(2);
        var event = lines.get(0);
        assertThat(event.fieldNames()).toIterable().containsExactly("time", "id", "type", "account", "outcome", "status", "ms", "secret", "note");
        assertThat(event.get("id").asText()).isEqualTo("evt_j1");
        assertThat(event.get("type").asText()).isEqualTo("customer.subscription.created");
        assertThat(event.get("account").isNull()).isTrue();
        assertThat(event.get("outcome").asText()).isEqualTo("applied");
        assertThat(event.get("status").asInt()).isEqualTo(200);
        assertThat(event.get("ms").isNumber()).isTrue();
        assertThat(event.get("secret").asInt()).as("by position, as in the text line").isEqualTo(2);
        assertThat(java.time.Instant.parse(event.get("time").asText())).isNotNull();
        var rejected = lines.get(1);
        assertThat(rejected.get("outcome").asText()).isEqualTo("rejected");
        assertThat(rejected.get("status").asInt()).isEqualTo(400);
        assertThat(rejected.get("note").asText()).startsWith("signature timestamp too old");
        assertThat(rejected.get("from").asText()).isEqualTo("127.0.0.1");
    }
}
