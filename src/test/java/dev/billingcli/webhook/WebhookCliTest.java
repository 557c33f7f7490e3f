package dev.billingcli.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.CliRunner.Result;
import dev.billingcli.TestPostgres;
import dev.billingcli.TextWatch;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.fakestripe.FakeStripeExtension;
import dev.billingcli.store.Database;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.stripe.EventsGateway;
import dev.billingcli.stripe.StripeAccess;
import dev.billingcli.subscription.EffectiveAccess;
import dev.billingcli.subscription.Subscription;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline where users meet it: webhook-serve, webhook trigger, events. */
class WebhookCliTest {
    private static final String SECRET = "whsec_cli_test_secret_1234";

    @RegisterExtension
    final FakeStripeExtension stripe = new FakeStripeExtension();

    @TempDir
    Path dir;

    private String url;
    private CliRunner cli;

    @BeforeEach
    void setUp() {
        url = TestPostgres.newDatabaseUrl();
        cli = CliRunner.withRepoPlans(dir).env("DATABASE_URL", url).env("STRIPE_WEBHOOK_SECRET", "whsec_old_one," + SECRET);
    }

    private Subscription subscriptionOf(String account) {
        try (Database db = Database.open(url, null, 1, m -> {})) {
            return db.read(tx -> tx.subscriptions().latestOf(account)).orElseThrow();
        }
    }

    @Test
    void webhookServeRefusesToStartWithoutASecret() {
        Result r = new CliRunner(dir).env("DATABASE_URL", url).run("webhook-serve");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("no webhook signing secret");
    }

    @Test
    void webhookServeOnATakenPortIsExit3WithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Result r = cli.run("webhook-serve", "--port", Integer.toString(taken.getLocalPort()));
            assertThat(r.code()).as(r.toString()).isEqualTo(3);
            assertThat(r.err()).contains("the port is taken").doesNotContain("Exception").doesNotContain(SECRET);
        }
    }

    @Test
    void triggerSequenceMovesOneSubscriptionThroughItsLife() throws Exception {
        Result checkout = cli.run("webhook", "trigger", "checkout.session.completed", "--account", "acme", "--plan", "pro", "--local");
        assertThat(checkout.code()).as(checkout.toString()).isZero();
        // what Stripe sends around a checkout of a plan with a trial: the subscription (trialing), the
        // session, and the trial's €0 first invoice, paid, which starts the credits
        assertThat(checkout.out().lines()).hasSize(3).anyMatch(l -> l.contains("customer.subscription.created → applied"))
                .anyMatch(l -> l.matches("evt_trig\\w+ checkout.session.completed → applied.*"))
                .anyMatch(l -> l.matches("evt_trig\\w+ invoice.paid → applied.*credits reset to 1000.*"));
        Subscription active = subscriptionOf("acme");
        assertThat(active.status()).isEqualTo("trialing");
        JsonNode status = new ObjectMapper().readTree(cli.run("-o", "json", "status", "--account", "acme").out());
        assertThat(status.get("credits").asLong()).isEqualTo(1000);
        assertThat(status.get("email").asText()).isEqualTo("billing@acme.test");
        assertThat(active.planId()).isEqualTo("pro");
        assertThat(EffectiveAccess.of(active, "free", 3, Instant.now()).planId()).isEqualTo("pro");

        Result cancel = cli.run("webhook", "trigger", "customer.subscription.updated", "--account", "acme", "--plan", "pro",
                "--cancel-at-period-end", "--local");
        assertThat(cancel.out()).as(cancel.toString()).contains("→ applied");
        Subscription scheduled = subscriptionOf("acme");
        assertThat(scheduled.cancelAtPeriodEnd()).isTrue();
        EffectiveAccess untilEnd = EffectiveAccess.of(scheduled, "free", 3, Instant.now());
        assertThat(untilEnd.planId()).isEqualTo("pro");
        assertThat(untilEnd.until()).isEqualTo(scheduled.currentPeriodEnd());

        Result deleted = cli.run("webhook", "trigger", "customer.subscription.deleted", "--account", "acme", "--plan", "pro", "--local");
        assertThat(deleted.out()).as(deleted.toString()).contains("→ applied");
        Subscription ended = subscriptionOf("acme");
        assertThat(ended.id()).isEqualTo(active.id());
        assertThat(ended.status()).isEqualTo("canceled");
        // the deletion continues the state: same period, ended now (it does not move the period back a month)
        assertThat(ended.currentPeriodStart()).isEqualTo(scheduled.currentPeriodStart());
        assertThat(ended.currentPeriodEnd()).isEqualTo(scheduled.currentPeriodEnd());
        assertThat(EffectiveAccess.of(ended, "free", 3, Instant.now().plusSeconds(1)).planId()).isEqualTo("free");

        Result list = cli.run("-o", "json", "events", "list", "--account", "acme");
        JsonNode events = new ObjectMapper().readTree(list.out());
        assertThat(events).hasSize(5);
        assertThat(events.findValuesAsText("outcome")).containsOnly("applied");
    }

    @Test
    void triggerPostsToARunningWebhookServeAndEventsShowsWhatItStored() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        AtomicReference<Result> served = new AtomicReference<>();
        TextWatch serverErr = new TextWatch();
        Thread server = new Thread(() -> served.set(cli.run(serverErr, "webhook-serve", "--port", Integer.toString(port))));
        server.start();
        try {
            serverErr.await("webhook-serve listening on", java.time.Duration.ofSeconds(30));
            Result r = cli.run("-o", "json", "webhook", "trigger", "invoice.payment_failed", "--account", "acme",
                    "--url", "http://127.0.0.1:" + port + "/webhook");
            assertThat(r.code()).as(r.toString()).isZero();
            JsonNode sent = new ObjectMapper().readTree(r.out()).get(0);
            assertThat(sent.get("status").asInt()).isEqualTo(200);
            String id = sent.get("id").asText();
            Result show = cli.run("events", "show", id);
            assertThat(show.code()).as(show.toString()).isZero();
            assertThat(show.out()).contains("outcome:      applied").contains("\"billing_reason\" : \"subscription_cycle\"");
            Result missing = cli.run("events", "show", "evt_nope");
            assertThat(missing.code()).isEqualTo(1);
        } finally {
            server.interrupt();
            server.join(10_000);
        }
        assertThat(served.get().code()).isZero();
        assertThat(served.get().err()).contains("webhook-serve listening on http://127.0.0.1:" + port + "/webhook (2 signing secret(s)")
                .contains(" invoice.payment_failed account=acme applied ").doesNotContain(SECRET).doesNotContain("whsec_old_one");
    }

    @Test
    void eventsFetchProcessesWhatWebhookServeMissedOnce() throws Exception {
        FakeStripe fake = stripe.fake();
        long now = Instant.now().getEpochSecond();
        ObjectNode sub = TestEvents.subscription("sub_f1", "cus_f1", "business_monthly", "active");
        fake.put("event", (ObjectNode) new ObjectMapper().readTree(TestEvents.event("evt_f1", "customer.subscription.created", now - 60, sub)));
        fake.put("event", (ObjectNode) new ObjectMapper().readTree(TestEvents.event("evt_f2", "customer.subscription.updated", now - 30,
                sub.deepCopy().put("status", "past_due"), new ObjectMapper().createObjectNode().put("status", "active"))));
        fake.put("event", (ObjectNode) new ObjectMapper().readTree(TestEvents.event("evt_old", "customer.subscription.updated",
                now - 3 * 86400, sub)));
        cli.env("STRIPE_SECRET_KEY", "sk_test_FAKE_fetch").env("STRIPE_API_BASE", fake.url());
        Result first = cli.run("events", "fetch", "--since", "24h");
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).contains("Stripe listed 2 event(s)").contains("0 already stored, 2 processed now (2 applied).");
        Result again = cli.run("events", "fetch", "--since", "24h");
        assertThat(again.out()).contains("2 already stored, 0 processed now");
        assertThat(subscriptionOf0("sub_f1").status()).isEqualTo("past_due");
        assertThat(cli.run("events", "fetch", "--since", "31d").code()).isEqualTo(2);
        Result future = cli.run("events", "fetch", "--since", "2999-01-01");
        assertThat(future.code()).isEqualTo(2);
        assertThat(future.err()).isEqualTo("billing: --since must be in the past and at most 30 days ago: Stripe keeps events for 30 days\n");
        Result date = cli.run("events", "fetch", "--since", java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1).toString());
        assertThat(date.out()).as(date.toString()).contains("2 already stored, 0 processed now");
        assertThat(fake.count("GET", "/v1/events")).isEqualTo(3);
    }

    @Test
    void eventsFetchReadsWindowsInParallelEachEventOnceThrough429s() throws Exception {
        FakeStripe fake = stripe.fake();
        long now = Instant.now().getEpochSecond();
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 450; i++) {
            // 250 of them in one second (a bulk change), the others one a minute over the last hours
            long created = i < 250 ? now - 7_200 : now - 20_000 + i * 60L;
            ObjectNode sub = TestEvents.subscription("sub_w" + i, "cus_w" + i, "pro_monthly", "active");
            fake.put("event", (ObjectNode) json.readTree(TestEvents.event("evt_w" + i, "customer.subscription.updated", created, sub)));
        }
        fake.rateLimit(8); // Stripe allows less than the 20/s asked for
        cli.env("STRIPE_SECRET_KEY", "sk_test_FAKE_fetch").env("STRIPE_API_BASE", fake.url());

        Result first = cli.run("-o", "json", "events", "fetch", "--since", "24h", "--rate", "20");
        assertThat(first.code()).as(first.toString()).isZero();
        JsonNode r = json.readTree(first.out());
        assertThat(r.get("listed").asInt()).isEqualTo(450);
        assertThat(r.get("alreadyStored").asInt()).isZero();
        assertThat(fake.rateLimitedCount()).isPositive();
        // windows: more than one list request in flight, each asking for a created range
        assertThat(fake.requests().stream().filter(q -> q.path().equals("/v1/events") && q.params().get("created") instanceof java.util.Map<?, ?> c
                && c.containsKey("lt"))).isNotEmpty();
        try (Database db = TestEvents.database(url)) {
            long stored = db.jdbi().withHandle(h -> h.createQuery("select count(distinct event_id) from stripe_events where event_id like 'evt_w%'")
                    .mapTo(Long.class).one());
            assertThat(stored).isEqualTo(450);
        }
        Result again = cli.run("-o", "json", "events", "fetch", "--since", "24h");
        assertThat(json.readTree(again.out()).get("alreadyStored").asInt()).isEqualTo(450);
    }

    @Test
    void triggerToAPortWithNoServerNamesTheRefusedConnection() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String target = "http://127.0.0.1:" + port + "/webhook";
        Result r = cli.run("webhook", "trigger", "invoice.paid", "--account", "acme", "--plan", "pro", "--url", target);
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err().lines()).containsExactly(
                "billing: cannot reach " + target + ": connection refused (is webhook-serve running? or use --local)");
    }

    @Test
    void replayAppliesAStoredEventAgainAndFailedOnesAfterAFix() throws Exception {
        String customer = "cus_trig" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("acme".getBytes(java.nio.charset.StandardCharsets.UTF_8))).substring(0, 14);
        try (Database db = TestEvents.database(url)) {
            // a bad row: another account holds acme's Stripe customer, so linking acme fails
            db.jdbi().useHandle(h -> h.execute("insert into accounts (account_id, stripe_customer_id) values ('squatter', ?)", customer));
        }
        Result clash = cli.run("webhook", "trigger", "checkout.session.completed", "--account", "acme", "--plan", "credits_pack", "--local");
        assertThat(clash.code()).as(clash.toString()).isEqualTo(3);
        assertThat(clash.out()).contains("→ failed");
        Result failedList = cli.run("events", "list", "--outcome", "failed");
        assertThat(failedList.out()).contains("checkout.session.completed")
                .contains("Stripe customer " + customer + " is linked to account squatter, not acme");
        try (Database db = TestEvents.database(url)) {
            db.jdbi().useHandle(h -> h.execute("delete from accounts where account_id = 'squatter'"));
        }
        Result replay = cli.run("events", "replay", "--failed");
        assertThat(replay.code()).as(replay.toString()).isZero();
        assertThat(replay.out()).contains("applied").contains("granted 500 credits");
        assertThat(cli.run("events", "replay", "--failed").out()).contains("No failed events.");
        String id = new ObjectMapper().readTree(cli.run("-o", "json", "events", "list", "--type", "checkout.session.completed").out())
                .get(0).get("id").asText();
        Result again = cli.run("events", "replay", id);
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains(id).contains("credits already granted");
        assertThat(cli.run("events", "replay").code()).isEqualTo(2);
        assertThat(cli.run("events", "replay", "evt_missing").code()).isEqualTo(1);
    }

    @Test
    void aTieIsSettledByFetchingTheSubscriptionFromStripe() {
        FakeStripe fake = stripe.fake();
        ObjectNode s0 = TestEvents.subscription("sub_t1", "cus_t1", "pro_monthly", "active");
        ObjectNode s1 = s0.deepCopy().put("cancel_at_period_end", true);
        ObjectNode s2 = s1.deepCopy().put("cancel_at_period_end", false);
        fake.put("subscription", s2.deepCopy());
        try (Database db = TestEvents.database(url)) {
            EventsGateway gateway = new EventsGateway(StripeAccess.create("sk_test_FAKE_tie", fake.url(), false));
            EventProcessor p = new EventProcessor(db, TestEvents.catalog(), gateway::subscription);
            p.process(TestEvents.parse(TestEvents.event("evt_0", "customer.subscription.created", TestEvents.T0, s0)));
            p.process(TestEvents.parse(TestEvents.event("evt_2", "customer.subscription.updated", TestEvents.T0 + 1, s2,
                    TestEvents.previous(s1, s2))));
            var r = p.process(TestEvents.parse(TestEvents.event("evt_1", "customer.subscription.updated", TestEvents.T0 + 1, s1,
                    TestEvents.previous(s0, s1))));
            assertThat(r.note()).contains("fetched from Stripe");
            assertThat(gateway.subscription("sub_missing")).isEqualTo(Optional.empty());
        }
        assertThat(subscriptionOf0("sub_t1").cancelAtPeriodEnd()).isFalse();
        assertThat(fake.count("GET", "/v1/subscriptions/sub_t1")).isEqualTo(1);
    }

    private Subscription subscriptionOf0(String id) {
        try (Database db = Database.open(url, null, 1, m -> {})) {
            return db.read(tx -> tx.subscriptions().find(id)).orElseThrow().subscription();
        }
    }
}
