package dev.billingcli.webhook;

import static dev.billingcli.webhook.TestEvents.T0;
import static dev.billingcli.webhook.TestEvents.event;
import static dev.billingcli.webhook.TestEvents.previous;
import static dev.billingcli.webhook.TestEvents.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.TestPostgres;
import dev.billingcli.store.Database;
import dev.billingcli.store.EventStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The HTTP listener end to end: answers, nothing written on rejection, outages (readiness included), several instances. */
class WebhookServerTest {
    static final String SECRET = "whsec_test_secret";
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();

    @TempDir
    Path dir;

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
        WebhookServer s = new WebhookServer(new WebhookServer.Config("127.0.0.1", 0, "/webhook", List.of("whsec_old", SECRET),
                SignatureVerifier.DEFAULT_TOLERANCE, 8), new EventProcessor(db, TestEvents.catalog(), null), db, log::add,
                Clock.systemUTC()).start();
        open.add(s);
        return s;
    }

    private HttpResponse<String> get(WebhookServer s, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> post(HttpClient http, String url, String body, String signature) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
            if (signature != null) {
                b.header("Stripe-Signature", signature);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(String body) {
        return SignatureVerifier.sign(SECRET, System.currentTimeMillis() / 1000, body.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> deliver(WebhookServer s, String body) {
        return post(http, s.url(), body, sign(body));
    }

    private static long rows(Database db) {
        return db.jdbi().withHandle(h -> h.createQuery(
                "select (select count(*) from stripe_events) + (select count(*) from subscriptions) + (select count(*) from accounts)")
                .mapTo(Long.class).one());
    }

    @Test
    void everyRejectionAnswersItsStatusAndWritesNothing() throws Exception {
        Database db = database(TestPostgres.newDatabaseUrl());
        WebhookServer s = server(db);
        String body = event("evt_1", "customer.subscription.created", T0, subscription("sub_1", "cus_1", "pro_monthly", "active"));
        long now = System.currentTimeMillis() / 1000;
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> badSignatures = Map.of(
                "missing", "",
                "malformed", "v1=abc",
                "wrong secret", SignatureVerifier.sign("whsec_unknown", now, bytes),
                // far outside the tolerance: the server reads its own clock later, and the exact
                // boundaries are SignatureVerifierTest's, on a fixed clock
                "too old", SignatureVerifier.sign(SECRET, now - 3600, bytes),
                "future", SignatureVerifier.sign(SECRET, now + 3600, bytes));
        for (var e : badSignatures.entrySet()) {
            var r = post(http, s.url(), body, e.getValue().isEmpty() ? null : e.getValue());
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
        }
        assertThat(deliver(s, "not json").statusCode()).isEqualTo(400);
        assertThat(deliver(s, "{\"id\":\"evt_1\",\"object\":\"customer\"}").statusCode()).as("not an event").isEqualTo(400);
        String big = "{\"pad\":\"" + "x".repeat(WebhookServer.MAX_BODY) + "\"}";
        assertThat(deliver(s, big).statusCode()).isEqualTo(413);
        var get = http.send(HttpRequest.newBuilder(URI.create(s.url())).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(post(http, s.url().replace("/webhook", "/other"), body, sign(body)).statusCode()).isEqualTo(404);
        assertThat(rows(db)).as("no rejection wrote anything").isZero();

        var ok = deliver(s, body);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("applied");
        var dup = deliver(s, body);
        assertThat(dup.statusCode()).isEqualTo(200);
        assertThat(dup.body()).contains("duplicate");
        var unknown = deliver(s, event("evt_2", "payout.paid", T0, TestEvents.JSON.createObjectNode().put("id", "po_1")));
        assertThat(unknown.statusCode()).isEqualTo(200);
        assertThat(unknown.body()).contains("ignored");
        assertThat(log).anyMatch(l -> l.startsWith("evt_1 customer.subscription.created account=- applied ") && l.endsWith("ms (secret #2)"));
        assertThat(log).anyMatch(l -> l.startsWith("rejected 400: signature timestamp in the future"));
        assertThat(String.join("\n", log)).doesNotContain(SECRET);
        var health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void databaseStoppedMidStreamAnswers503AndRedeliveriesAfterTheRestartLeaveTheRightState() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path data = dir.resolve("pg");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
        // The pool's connections die with the server, on purpose: Hikari's warnings about them are
        // captured (and checked) rather than printed in a green build's output.
        Logger hikari = (Logger) LoggerFactory.getLogger("com.zaxxer.hikari");
        ListAppender<ILoggingEvent> hikariLog = new ListAppender<>();
        hikariLog.start();
        hikari.addAppender(hikariLog);
        hikari.setAdditive(false);
        try {
            // a query waits 1 s for a connection before the 503, not the 5 s default: the answer is the same
            Database db = Database.open("postgres://postgres@127.0.0.1:" + port + "/postgres", null, 6, Duration.ofSeconds(1), m -> {});
            open.add(db);
            db.migrate();
            WebhookServer s = server(db);
            ObjectNode s0 = subscription("sub_1", "cus_1", "pro_monthly", "active");
            ObjectNode s1 = s0.deepCopy().put("cancel_at_period_end", true);
            ObjectNode s2 = s1.deepCopy().put("status", "canceled").put("ended_at", T0 + 20);
            String e0 = event("evt_0", "customer.subscription.created", T0, s0);
            String e1 = event("evt_1", "customer.subscription.updated", T0 + 10, s1, previous(s0, s1));
            String e2 = event("evt_2", "customer.subscription.deleted", T0 + 20, s2);
            assertThat(deliver(s, e0).statusCode()).isEqualTo(200);
            pg.close();
            assertThat(deliver(s, e2).statusCode()).isEqualTo(503);
            assertThat(get(s, "/healthz").statusCode()).as("liveness: the process serves").isEqualTo(200);
            long asked = System.nanoTime();
            var ready = get(s, "/readyz");
            assertThat(ready.statusCode()).as("readiness: the database is down").isEqualTo(503);
            assertThat(ready.body()).contains("database unavailable");
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("answered before a probe's timeout, not after the pool's")
                    .isLessThan(Duration.ofMillis(2_500));
            assertThat(get(s, "/metrics").body()).contains("billing_webhook_events_total{outcome=\"unavailable\",type=\"customer.subscription.deleted\"} 1");
            pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
            // Stripe redelivers what failed, in its own order
            assertThat(deliver(s, e2).statusCode()).isEqualTo(200);
            assertThat(get(s, "/readyz").statusCode()).as("ready again").isEqualTo(200);
            assertThat(deliver(s, e1).statusCode()).isEqualTo(200);
            assertThat(deliver(s, e0).body()).contains("duplicate");
            String status = db.jdbi().withHandle(h -> h.createQuery("select status from subscriptions").mapTo(String.class).one());
            assertThat(status).isEqualTo("canceled");
            assertThat(db.read(tx -> tx.events().find("evt_1")).orElseThrow().outcome()).isEqualTo("stale");
            assertThat(hikariLog.list).as("Hikari saw the connections the stop broke")
                    .anyMatch(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("marked as broken"));
        } finally {
            hikari.detachAppender(hikariLog);
            hikari.setAdditive(true);
            pg.close();
        }
    }

    @Test
    void twoInstancesOnOneDatabaseFedTheSameEventsConcurrentlyEndLikeOne() throws Exception {
        List<String> events = history(40, new Random(7));
        String sharedUrl = TestPostgres.newDatabaseUrl();
        Database shared = database(sharedUrl);
        WebhookServer a = server(shared);
        WebhookServer b = server(database(sharedUrl));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (WebhookServer s : List.of(a, b)) {
                List<String> order = new ArrayList<>(events);
                Collections.shuffle(order, new Random(s == a ? 1 : 2));
                for (String e : order) {
                    answers.add(pool.submit(() -> deliver(s, e).statusCode()));
                }
            }
            for (Future<Integer> f : answers) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdown();
        }
        Database single = database(TestPostgres.newDatabaseUrl());
        WebhookServer one = server(single);
        for (String e : events) {
            assertThat(deliver(one, e).statusCode()).isEqualTo(200);
        }
        assertThat(state(shared)).isEqualTo(state(single)).hasSize(40);
        assertThat((long) shared.read(tx -> tx.events().count())).isEqualTo(events.size());
    }

    /** Per subscription: created, then updates over several seconds, two of them within one second. */
    static List<String> history(int subscriptions, Random random) {
        List<String> out = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < subscriptions; i++) {
            String id = "sub_" + i;
            ObjectNode s = subscription(id, "cus_" + i, "pro_monthly", "active");
            out.add(event("evt_" + n++, "customer.subscription.created", T0, s));
            long t = T0;
            for (int u = 0; u < 4; u++) {
                ObjectNode next = TestEvents.price(s.deepCopy(), random.nextBoolean() ? "pro_monthly" : "business_monthly", u + 2);
                t += u == 2 ? 0 : 1 + random.nextInt(5); // the third update shares its second with the second one
                out.add(event("evt_" + n++, "customer.subscription.updated", t, next, previous(s, next)));
                s = next;
            }
        }
        return out;
    }

    static List<Map<String, Object>> state(Database db) {
        return db.jdbi().withHandle(h -> h.createQuery("""
                select stripe_subscription_id, account_id, plan_id, price_id, quantity, status, current_period_end,
                       cancel_at_period_end, last_event_created, last_event_id
                from subscriptions order by stripe_subscription_id""").mapToMap().list());
    }
}
