package dev.billingcli.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.TestPostgres;
import dev.billingcli.store.Database;
import dev.billingcli.subscription.ScheduledChange;
import dev.billingcli.subscription.Subscription;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code subscription_schedule.*}: a schedule made and released in the Dashboard reaches the subscription's scheduled
 * change (what {@code status} shows) through the ledger, whatever the order of its events and the subscription's own,
 * each delivered twice.
 */
class ScheduleEventsTest {
    private static final long T0 = TestEvents.T0;
    private static final long PERIOD_END = T0 + 30 * 86400;
    private static final long T1 = T0 + 3600;      // the schedule is made in the Dashboard
    private static final long T2 = T0 + 7200;      // and released

    @TempDir
    Path dir;

    private String url;
    private Database db;
    private EventProcessor processor;

    @BeforeEach
    void open() {
        url = TestPostgres.newDatabaseUrl();
        db = TestEvents.database(url);
        processor = new EventProcessor(db, TestEvents.catalog(), null);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** A pro monthly subscription of account {@code acct}, created at T0 (no schedule). */
    private ObjectNode subscribed(String sub, String acct) {
        ObjectNode s = TestEvents.subscription(sub, "cus_" + sub, "pro_monthly", "active");
        s.putNull("schedule");
        ((ObjectNode) s.get("metadata")).put("account_id", acct);
        assertThat(processor.process(TestEvents.parse(TestEvents.event("evt_" + sub + "_c", "customer.subscription.created", T0, s))).outcome())
                .isEqualTo(Outcome.APPLIED);
        return s;
    }

    /**
     * The Dashboard's schedule: the current period on pro monthly × 1, then {@code nextPrice} × {@code quantity} from the
     * period end, no metadata (not made by billing). @param status active, released…
     */
    private static ObjectNode schedule(String id, String sub, String status, String nextPrice, int quantity) {
        boolean running = status.equals("active");
        ObjectNode s = TestEvents.JSON.createObjectNode().put("id", id).put("object", "subscription_schedule").put("customer", "cus_" + sub)
                .put("status", status).put("end_behavior", "release").put("created", T1).put("livemode", false);
        s.putObject("metadata");
        if (running) {
            s.put("subscription", sub).putNull("released_subscription");
            s.putObject("current_phase").put("start_date", T0).put("end_date", PERIOD_END);
        } else {
            s.putNull("subscription").put("released_subscription", sub);
            s.putNull("current_phase");
        }
        var phases = s.putArray("phases");
        ObjectNode p0 = phases.addObject().put("start_date", T0).put("end_date", PERIOD_END);
        p0.putObject("metadata");
        p0.putArray("items").addObject().put("price", "price_pro_monthly").put("quantity", 1);
        ObjectNode p1 = phases.addObject().put("start_date", PERIOD_END).put("end_date", PERIOD_END + 30 * 86400);
        p1.putObject("metadata");
        p1.putArray("items").addObject().put("price", nextPrice).put("quantity", quantity);
        return s;
    }

    private static ObjectNode withSchedule(ObjectNode subscription, String schedule) {
        ObjectNode s = subscription.deepCopy();
        if (schedule == null) {
            s.putNull("schedule");
        } else {
            s.put("schedule", schedule);
        }
        return s;
    }

    private Subscription stored(String sub) {
        return db.read(tx -> tx.subscriptions().find(sub)).orElseThrow().subscription();
    }

    private void deliver(List<String> events) {
        for (String e : events) {
            Outcome o = processor.process(TestEvents.parse(e)).outcome();
            assertThat(o).as(e).isNotEqualTo(Outcome.FAILED);
        }
    }

    private static List<List<Integer>> permutations(int n) {
        List<List<Integer>> out = new ArrayList<>();
        permute(new ArrayList<>(), n, out);
        return out;
    }

    private static void permute(List<Integer> prefix, int n, List<List<Integer>> out) {
        if (prefix.size() == n) {
            out.add(List.copyOf(prefix));
            return;
        }
        for (int i = 0; i < n; i++) {
            if (!prefix.contains(i)) {
                prefix.add(i);
                permute(prefix, n, out);
                prefix.remove(prefix.size() - 1);
            }
        }
    }

    @Test
    void aScheduleMadeInTheDashboardShowsItsChangeInEveryOrderEachDeliveredTwice() throws Exception {
        int n = 0;
        for (List<Integer> order : permutations(2)) {
            String sub = "sub_made" + n++;
            ObjectNode s = subscribed(sub, "acct_" + sub);
            String sched = "sub_sched_" + sub;
            // the customer asked for 3 seats from the renewal: the same price, a new quantity
            List<String> events = List.of(
                    TestEvents.event("evt_" + sub + "_su", "customer.subscription.updated", T1, withSchedule(s, sched),
                            TestEvents.JSON.createObjectNode().putNull("schedule")),
                    TestEvents.event("evt_" + sub + "_sc", "subscription_schedule.created", T1, schedule(sched, sub, "active", "price_pro_monthly", 3)));
            List<String> delivered = new ArrayList<>();
            order.forEach(i -> delivered.add(events.get(i)));
            order.forEach(i -> delivered.add(events.get(i))); // again: duplicates
            deliver(delivered);
            Subscription after = stored(sub);
            assertThat(after.scheduleId()).as(order.toString()).isEqualTo(sched);
            assertThat(after.scheduledChange()).as(order.toString())
                    .isEqualTo(new ScheduledChange("pro", "monthly", 3, Instant.ofEpochSecond(PERIOD_END)));
            assertThat(after.planId()).isEqualTo("pro");
            assertThat(after.quantity()).as("the change waits for the renewal").isEqualTo(1);
        }

        // status shows it, from the Dashboard's schedule
        CliRunner cli = CliRunner.withRepoPlans(dir).env("DATABASE_URL", url);
        CliRunner.Result status = cli.run("status", "--account", "acct_sub_made0");
        assertThat(status.code()).as(status.toString()).isZero();
        String day = java.time.format.DateTimeFormatter.ofPattern("d MMM yyyy", java.util.Locale.ENGLISH).withZone(java.time.ZoneOffset.UTC)
                .format(Instant.ofEpochSecond(PERIOD_END));
        // T0 is in the past: the period end, when the change takes effect, reads "since"
        assertThat(status.out()).contains("Scheduled Pro (pro) monthly × 3 since " + day + "  ")
                .contains("(sub_sched_sub_made0; 'billing change-plan --account acct_sub_made0 --cancel-scheduled' removes it)");
        JsonNode json = TestEvents.JSON.readTree(cli.run("-o", "json", "status", "--account", "acct_sub_made0").out());
        assertThat(json.get("scheduleId").asText()).isEqualTo("sub_sched_sub_made0");
        assertThat(json.get("scheduledQuantity").asInt()).isEqualTo(3);
        assertThat(json.get("scheduledAt").asText()).isEqualTo(Instant.ofEpochSecond(PERIOD_END).toString());

        // a price billing does not know (made in the Dashboard from another product): the change says so, never "null"
        String sub = "sub_other";
        ObjectNode s = subscribed(sub, "acct_other");
        deliver(List.of(TestEvents.event("evt_other_sc", "subscription_schedule.created", T1, schedule("sub_sched_other", sub, "active",
                "price_1Dashboard", 1))));
        assertThat(stored(sub).scheduledChange()).isEqualTo(new ScheduledChange(null, null, 1, Instant.ofEpochSecond(PERIOD_END)));
        String out = cli.run("status", "--account", "acct_other").out();
        assertThat(out).contains("Scheduled a price not in plans.yaml (see the Dashboard) × 1 since ").doesNotContain("null");
    }

    @Test
    void aScheduleReleasedInTheDashboardIsGoneInEveryOrderOfItsFourEventsEachDeliveredTwice() {
        int n = 0;
        for (List<Integer> order : permutations(4)) {
            String sub = "sub_rel" + n++;
            ObjectNode s = subscribed(sub, "acct_" + sub);
            String sched = "sub_sched_" + sub;
            List<String> events = List.of(
                    TestEvents.event("evt_" + sub + "_su1", "customer.subscription.updated", T1, withSchedule(s, sched),
                            TestEvents.JSON.createObjectNode().putNull("schedule")),
                    TestEvents.event("evt_" + sub + "_sc", "subscription_schedule.created", T1, schedule(sched, sub, "active", "price_pro_monthly", 3)),
                    TestEvents.event("evt_" + sub + "_sr", "subscription_schedule.released", T2, schedule(sched, sub, "released", "price_pro_monthly", 3)),
                    TestEvents.event("evt_" + sub + "_su2", "customer.subscription.updated", T2, withSchedule(s, null),
                            TestEvents.JSON.createObjectNode().put("schedule", sched)));
            List<String> delivered = new ArrayList<>();
            order.forEach(i -> delivered.add(events.get(i)));
            order.forEach(i -> delivered.add(events.get(i)));
            deliver(delivered);
            Subscription after = stored(sub);
            assertThat(after.scheduleId()).as(order.toString()).isNull();
            assertThat(after.scheduledChange()).as(order.toString()).isNull();
        }
        assertThat(n).isEqualTo(24);
    }

    @Test
    void anOlderScheduleEventAfterTheReleaseIsStaleAndAReleaseOfAnotherScheduleChangesNothing() {
        String sub = "sub_stale";
        ObjectNode s = subscribed(sub, "acct_stale");
        String sched = "sub_sched_stale";
        deliver(List.of(TestEvents.event("evt_st_sc", "subscription_schedule.created", T1, schedule(sched, sub, "active", "price_pro_monthly", 2)),
                TestEvents.event("evt_st_sr", "subscription_schedule.released", T2, schedule(sched, sub, "released", "price_pro_monthly", 2))));
        assertThat(stored(sub).scheduleId()).isNull();
        var late = processor.process(TestEvents.parse(TestEvents.event("evt_st_su", "subscription_schedule.updated", T1 + 60,
                schedule(sched, sub, "active", "price_pro_monthly", 5))));
        assertThat(late.outcome()).isEqualTo(Outcome.STALE);
        assertThat(stored(sub).scheduleId()).isNull();
        // an older subscription event naming the released schedule does not bring it back either
        deliver(List.of(TestEvents.event("evt_st_sub", "customer.subscription.updated", T1, withSchedule(s, sched),
                TestEvents.JSON.createObjectNode().putNull("schedule"))));
        assertThat(stored(sub).scheduleId()).isNull();

        var other = processor.process(TestEvents.parse(TestEvents.event("evt_st_other", "subscription_schedule.canceled", T2 + 60,
                schedule("sub_sched_else", sub, "canceled", "price_pro_monthly", 1))));
        assertThat(other.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(other.note()).isEqualTo("sub_sched_else (canceled) is not the schedule of " + sub);
    }

    /**
     * {@code subscription_schedule.expiring} (7 days before a schedule ends: still running) keeps the change;
     * {@code subscription_schedule.aborted} (the subscription was canceled for non-payment, and its schedule with it:
     * status {@code canceled}, still naming the subscription) clears it.
     */
    @Test
    void anExpiringScheduleKeepsItsChangeAndAnAbortedOneClearsIt() {
        String sub = "sub_abort";
        subscribed(sub, "acct_abort");
        String sched = "sub_sched_abort";
        deliver(List.of(TestEvents.event("evt_ab_sc", "subscription_schedule.created", T1, schedule(sched, sub, "active", "price_pro_monthly", 4))));
        assertThat(stored(sub).scheduledChange().quantity()).isEqualTo(4);

        var expiring = processor.process(TestEvents.parse(TestEvents.event("evt_ab_se", "subscription_schedule.expiring", T1 + 60,
                schedule(sched, sub, "active", "price_pro_monthly", 4))));
        assertThat(expiring.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(stored(sub).scheduleId()).isEqualTo(sched);
        assertThat(stored(sub).scheduledChange().quantity()).isEqualTo(4);

        ObjectNode aborted = schedule(sched, sub, "canceled", "price_pro_monthly", 4).put("subscription", sub).putNull("released_subscription")
                .put("canceled_at", T2);
        for (int delivery = 0; delivery < 2; delivery++) {
            var r = processor.process(TestEvents.parse(TestEvents.event("evt_ab_sa", "subscription_schedule.aborted", T2, aborted)));
            assertThat(r.outcome()).isEqualTo(delivery == 0 ? Outcome.APPLIED : Outcome.DUPLICATE);
        }
        assertThat(stored(sub).scheduleId()).isNull();
        assertThat(stored(sub).scheduledChange()).isNull();
    }
}
