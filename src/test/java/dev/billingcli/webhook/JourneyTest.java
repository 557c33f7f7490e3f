package dev.billingcli.webhook;

import dev.billingcli.trigger.Trigger;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.CliRunner.Result;
import dev.billingcli.TestPostgres;
import dev.billingcli.TextWatch;
import dev.billingcli.catalog.CatalogLoader;
import dev.billingcli.catalog.Cycle;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole journeys through the CLI, with the events delivered to {@code webhook-serve} over HTTP, signed,
 * in every order Stripe may send them and with repeated deliveries. Stripe does not order events: the
 * invoice of a checkout may arrive before the session and the subscription's own events.
 */
class JourneyTest {
    private static final String SECRET = "whsec_journey_test_secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CliRunner cli;
    private Thread server;
    private final AtomicReference<Result> served = new AtomicReference<>();
    private String endpoint;

    @BeforeEach
    void startServer() throws Exception {
        cli = CliRunner.withRepoPlans(dir).env("DATABASE_URL", TestPostgres.newDatabaseUrl()).env("STRIPE_WEBHOOK_SECRET", SECRET);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        TextWatch err = new TextWatch();
        String p = Integer.toString(port);
        server = new Thread(() -> served.set(cli.run(err, "webhook-serve", "--port", p)));
        server.start();
        err.await("listening on", Duration.ofSeconds(30));
        endpoint = "http://127.0.0.1:" + port + "/webhook";
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        server.interrupt();
        server.join(10_000);
        assertThat(served.get().code()).as(String.valueOf(served.get())).isZero();
    }

    /** The four events of a checkout of pro (14-day trial): subscription, session, the €0 invoice paid (twice over). */
    private List<Trigger.Built> checkoutEvents(String account, Instant now) {
        var catalog = CatalogLoader.load(dir.resolve("plans.yaml"), "plans.yaml");
        List<Trigger.Built> built = new ArrayList<>(Trigger.build(new Trigger.Request("checkout.session.completed", account, "pro",
                Cycle.MONTHLY, false, null, 1, "paid", "subscription_cycle", now), catalog));
        Trigger.Built paid = built.get(2);
        assertThat(paid.type()).isEqualTo("invoice.paid");
        // Stripe reports one payment twice: invoice.paid and invoice.payment_succeeded, with their own ids
        built.add(new Trigger.Built(paid.eventId() + "ps", "invoice.payment_succeeded",
                paid.json().replace(paid.eventId(), paid.eventId() + "ps").replace("\"invoice.paid\"", "\"invoice.payment_succeeded\"")));
        return built;
    }

    private int deliver(Trigger.Built event) {
        return Trigger.post(endpoint, SECRET, event).status();
    }

    private JsonNode status(String account) throws Exception {
        Result r = cli.run("-o", "json", "status", "--account", account);
        assertThat(r.code()).as(r.toString()).isZero();
        return JSON.readTree(r.out());
    }

    private static List<List<Integer>> permutations(List<Integer> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<Integer>> out = new ArrayList<>();
        for (Integer first : items) {
            List<Integer> rest = new ArrayList<>(items);
            rest.remove(first);
            for (List<Integer> p : permutations(rest)) {
                List<Integer> q = new ArrayList<>();
                q.add(first);
                q.addAll(p);
                out.add(q);
            }
        }
        return out;
    }

    @Test
    void checkoutInEveryOrderAndTwiceGrantsTheCreditsOnceKeepsTheEmailAndTrials() throws Exception {
        List<List<Integer>> orders = permutations(List.of(0, 1, 2, 3));
        assertThat(orders).hasSize(24);
        Instant now = Instant.now();
        for (int n = 0; n < orders.size(); n++) {
            String account = "order" + n;
            List<Trigger.Built> events = checkoutEvents(account, now);
            List<Integer> order = orders.get(n);
            for (int i : order) {
                assertThat(deliver(events.get(i))).as(account + " " + events.get(i).type()).isEqualTo(200);
            }
            // and each one delivered again, in reverse (Stripe delivers at least once)
            for (int i = order.size() - 1; i >= 0; i--) {
                assertThat(deliver(events.get(order.get(i)))).isEqualTo(200);
            }
        }
        for (int n = 0; n < orders.size(); n++) {
            String account = "order" + n;
            JsonNode s = status(account);
            assertThat(s.get("status").asText()).as(account + " " + orders.get(n)).isEqualTo("trialing");
            assertThat(s.get("tier").asText()).as(account).isEqualTo("pro");
            assertThat(s.get("effectiveTier").asText()).as(account).isEqualTo("pro");
            assertThat(s.get("credits").asLong()).as(account + " " + orders.get(n)).isEqualTo(1000);
            assertThat(s.get("email").asText()).as(account).isEqualTo("billing@" + account + ".test");
            assertThat(s.get("recentEvents").findValuesAsText("outcome")).as(account).doesNotContain("failed");
        }
    }

    @Test
    void anInvoiceThatSaysNothingOfItsSubscriptionFailsUntilTheSubscriptionIsKnownThenGrants() throws Exception {
        List<Trigger.Built> events = checkoutEvents("acme", Instant.now());
        // an invoice of a subscription made elsewhere: no metadata snapshot naming account or plan
        ObjectNode bare = (ObjectNode) JSON.readTree(events.get(2).json());
        ((ObjectNode) bare.at("/data/object/parent/subscription_details")).putObject("metadata");
        Trigger.Built invoice = new Trigger.Built(events.get(2).eventId(), "invoice.paid", bare.toString());

        assertThat(deliver(invoice)).as("no account, no plan, no Stripe key: Stripe must deliver it again").isEqualTo(500);
        assertThat(deliver(events.get(0))).isEqualTo(200); // customer.subscription.created
        assertThat(deliver(events.get(1))).isEqualTo(200); // checkout.session.completed
        assertThat(status("acme").get("credits").asLong()).isZero();
        assertThat(deliver(invoice)).as("Stripe's redelivery").isEqualTo(200);
        JsonNode s = status("acme");
        assertThat(s.get("credits").asLong()).isEqualTo(1000);
        Result list = cli.run("events", "list", "--account", "acme", "--outcome", "failed");
        assertThat(list.out()).doesNotContain("invoice.paid");
    }

    @Test
    void trialEndCancelReactivateAndChurnInAnyArrivalOrderEndOnTheNewestState() throws Exception {
        Instant start = Instant.now().minusSeconds(600);
        List<Trigger.Built> checkout = checkoutEvents("acme", start);
        for (Trigger.Built e : checkout) {
            assertThat(deliver(e)).isEqualTo(200);
        }
        var catalog = CatalogLoader.load(dir.resolve("plans.yaml"), "plans.yaml");
        // each step one second after the other, as Stripe stamps them; delivered newest first
        List<Trigger.Built> life = new ArrayList<>();
        life.addAll(Trigger.build(new Trigger.Request("customer.subscription.updated", "acme", "pro", Cycle.MONTHLY, false, "active", 1,
                "paid", "subscription_cycle", start.plusSeconds(10)), catalog)); // trial ended
        life.addAll(Trigger.build(new Trigger.Request("customer.subscription.updated", "acme", "pro", Cycle.MONTHLY, true, "active", 1,
                "paid", "subscription_cycle", start.plusSeconds(20)), catalog)); // cancel at the period end
        life.addAll(Trigger.build(new Trigger.Request("customer.subscription.updated", "acme", "pro", Cycle.MONTHLY, false, "active", 1,
                "paid", "subscription_cycle", start.plusSeconds(30)), catalog)); // reactivated
        life.addAll(Trigger.build(new Trigger.Request("customer.subscription.deleted", "acme", "pro", Cycle.MONTHLY, false, null, 1,
                "paid", "subscription_cycle", start.plusSeconds(40)), catalog)); // churned
        for (int i = life.size() - 1; i >= 0; i--) {
            assertThat(deliver(life.get(i))).isEqualTo(200);
        }
        JsonNode s = status("acme");
        assertThat(s.get("status").asText()).isEqualTo("canceled");
        assertThat(s.get("effectiveTier").asText()).isEqualTo("free");
        assertThat(s.get("credits").asLong()).isEqualTo(1000);
        Result stale = cli.run("-o", "json", "events", "list", "--account", "acme", "--outcome", "stale");
        assertThat(JSON.readTree(stale.out())).hasSize(3); // the three updates came after the deletion they precede

        // the same steps in order, for another account: the same end
        List<Trigger.Built> other = checkoutEvents("beta", start);
        other.forEach(e -> assertThat(deliver(e)).isEqualTo(200));
        for (String[] step : new String[][] {{"customer.subscription.updated", "active"}, {"customer.subscription.deleted", null}}) {
            for (Trigger.Built e : Trigger.build(new Trigger.Request(step[0], "beta", "pro", Cycle.MONTHLY, false, step[1], 1, "paid",
                    "subscription_cycle", start.plusSeconds(50)), catalog)) {
                assertThat(deliver(e)).isEqualTo(200);
            }
        }
        assertThat(status("beta").get("status").asText()).isEqualTo("canceled");
    }

    /** Trial end, cancel at the period end, reactivation (and optionally churn), one second apart as Stripe stamps them. */
    private List<Trigger.Built> lifeEvents(String account, Instant start, boolean churn) {
        var catalog = CatalogLoader.load(dir.resolve("plans.yaml"), "plans.yaml");
        List<Trigger.Built> life = new ArrayList<>();
        life.addAll(Trigger.build(new Trigger.Request("customer.subscription.updated", account, "pro", Cycle.MONTHLY, false, "active", 1,
                "paid", "subscription_cycle", start.plusSeconds(10)), catalog)); // trial ended
        life.addAll(Trigger.build(new Trigger.Request("customer.subscription.updated", account, "pro", Cycle.MONTHLY, true, "active", 1,
                "paid", "subscription_cycle", start.plusSeconds(20)), catalog)); // cancel at the period end
        life.addAll(Trigger.build(new Trigger.Request("customer.subscription.updated", account, "pro", Cycle.MONTHLY, false, "active", 1,
                "paid", "subscription_cycle", start.plusSeconds(30)), catalog)); // reactivated
        if (churn) {
            life.addAll(Trigger.build(new Trigger.Request("customer.subscription.deleted", account, "pro", Cycle.MONTHLY, false, null, 1,
                    "paid", "subscription_cycle", start.plusSeconds(40)), catalog)); // churned
        }
        return life;
    }

    @Test
    void theWholeLifeInEveryArrivalOrderAndTwiceEndsOnTheNewestState() throws Exception {
        Instant start = Instant.now().minusSeconds(600);
        // with churn: 24 orders of trial end, cancel, reactivate, deletion; without: 6 orders of the first three
        for (boolean churn : new boolean[] {true, false}) {
            List<List<Integer>> orders = permutations(churn ? List.of(0, 1, 2, 3) : List.of(0, 1, 2));
            for (int n = 0; n < orders.size(); n++) {
                String account = (churn ? "churn" : "stay") + n;
                for (Trigger.Built e : checkoutEvents(account, start)) {
                    assertThat(deliver(e)).isEqualTo(200);
                }
                List<Trigger.Built> life = lifeEvents(account, start, churn);
                for (int i : orders.get(n)) {
                    assertThat(deliver(life.get(i))).as(account + " " + life.get(i).type()).isEqualTo(200);
                }
                for (int i : orders.get(n)) {
                    assertThat(deliver(life.get(i))).as(account + " again").isEqualTo(200);
                }
                JsonNode s = status(account);
                String order = account + " " + orders.get(n);
                assertThat(s.get("credits").asLong()).as(order).isEqualTo(1000);
                assertThat(s.get("recentEvents").findValuesAsText("outcome")).as(order).doesNotContain("failed");
                if (churn) {
                    assertThat(s.get("status").asText()).as(order).isEqualTo("canceled");
                    assertThat(s.get("effectiveTier").asText()).as(order).isEqualTo("free");
                } else {
                    // the reactivation is the newest: active, renewing, whatever arrived last
                    assertThat(s.get("status").asText()).as(order).isEqualTo("active");
                    assertThat(s.get("cancelAtPeriodEnd").asBoolean()).as(order).isFalse();
                    assertThat(s.get("effectiveTier").asText()).as(order).isEqualTo("pro");
                }
            }
        }
    }

    @Test
    void firstDeliveriesForOneNewCustomerRacingNeverFail() throws Exception {
        // the four first events of each new customer posted at the same moment from four threads: they race
        // to create the account and link its customer, and a valid event must never fail on that race
        Instant now = Instant.now();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            for (int n = 0; n < 25; n++) {
                List<Trigger.Built> events = checkoutEvents("race" + n, now);
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(events.size());
                List<java.util.concurrent.Future<Integer>> answers = new ArrayList<>();
                for (Trigger.Built e : events) {
                    answers.add(pool.submit(() -> {
                        together.await();
                        return deliver(e);
                    }));
                }
                for (var a : answers) {
                    assertThat(a.get()).as("race" + n).isEqualTo(200);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        for (int n = 0; n < 25; n++) {
            JsonNode s = status("race" + n);
            assertThat(s.get("credits").asLong()).as("race" + n).isEqualTo(1000);
            assertThat(s.get("status").asText()).as("race" + n).isEqualTo("trialing");
        }
    }
}
