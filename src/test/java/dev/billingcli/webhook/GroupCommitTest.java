package dev.billingcli.webhook;

import static dev.billingcli.webhook.TestEvents.T0;
import static dev.billingcli.webhook.TestEvents.event;
import static dev.billingcli.webhook.TestEvents.parse;
import static dev.billingcli.webhook.TestEvents.previous;
import static dev.billingcli.webhook.TestEvents.price;
import static dev.billingcli.webhook.TestEvents.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.TestPostgres;
import dev.billingcli.store.Database;
import dev.billingcli.subscription.Subscription;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit ({@link EventProcessor#processTogether}, {@link GroupCommit}) against a real PostgreSQL:
 * the guarantees of one event at a time hold for events that share a transaction.
 */
class GroupCommitTest {
    private Database db;
    private EventProcessor processor;

    @BeforeEach
    void open() {
        db = TestEvents.database(TestPostgres.newDatabaseUrl());
        processor = new EventProcessor(db, TestEvents.catalog(), null);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private List<EventProcessor.Answer> together(String... raws) {
        List<StripeEvent> events = new ArrayList<>();
        for (String raw : raws) {
            events.add(parse(raw));
        }
        return processor.processTogether(events);
    }

    private static List<Outcome> outcomes(List<EventProcessor.Answer> answers) {
        return answers.stream().map(a -> a.get().outcome()).toList();
    }

    private Subscription sub(String id) {
        return db.read(tx -> tx.subscriptions().find(id)).orElseThrow().subscription();
    }

    private String stored(String eventId) {
        return db.read(tx -> tx.events().find(eventId)).map(e -> e.outcome()).orElse(null);
    }

    private long count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    /** A created subscription, one event at a time; returns its object. */
    private ObjectNode created(String sub, String customer) {
        ObjectNode s = subscription(sub, customer, "pro_monthly", "active");
        assertThat(processor.process(parse(event("evt_c_" + sub, "customer.subscription.created", T0, s))).outcome()).isEqualTo(Outcome.APPLIED);
        return s;
    }

    @Test
    void aGroupAppliesEachEventInOrderUnderTheLedgersRule() {
        ObjectNode a = created("sub_a", "cus_a");
        ObjectNode b = created("sub_b", "cus_b");
        ObjectNode a2 = price(a.deepCopy(), "pro_monthly", 2);
        ObjectNode a3 = price(a.deepCopy(), "pro_monthly", 3);
        ObjectNode b2 = b.deepCopy().put("cancel_at_period_end", true);
        ObjectNode a1 = price(a.deepCopy(), "pro_monthly", 9); // an older state arriving late, after a newer one
        var answers = together(
                event("evt_a2", "customer.subscription.updated", T0 + 10, a2, previous(a, a2)),
                event("evt_b2", "customer.subscription.updated", T0 + 10, b2, previous(b, b2)),
                event("evt_a3", "customer.subscription.updated", T0 + 20, a3, previous(a2, a3)),
                event("evt_a1", "customer.subscription.updated", T0 + 5, a1, previous(a, a1)),
                event("evt_new", "customer.subscription.created", T0 + 30, subscription("sub_new", "cus_new", "pro_yearly", "trialing")));
        assertThat(outcomes(answers)).containsExactly(Outcome.APPLIED, Outcome.APPLIED, Outcome.APPLIED, Outcome.STALE, Outcome.APPLIED);
        assertThat(sub("sub_a").quantity()).as("the newest of the group's two states, not the late older one").isEqualTo(3);
        assertThat(sub("sub_b").cancelAtPeriodEnd()).isTrue();
        assertThat(sub("sub_new").status()).isEqualTo("trialing");
        assertThat(List.of(stored("evt_a2"), stored("evt_b2"), stored("evt_a3"), stored("evt_a1"), stored("evt_new")))
                .containsExactly("applied", "applied", "applied", "stale", "applied");
        assertThat(count("select count(distinct received_at) from stripe_events where event_id in ('evt_a2', 'evt_b2', 'evt_a3', 'evt_a1', 'evt_new')"))
                .as("one transaction: PostgreSQL's now() is its start").isEqualTo(1);
        String planCacheMode = db.jdbi().withHandle(h -> h.createQuery("show plan_cache_mode").mapTo(String.class).one());
        assertThat(planCacheMode)
                .as("the group's generic plans ended with its transaction (this thread gets its pooled connection back)").isEqualTo("auto");
        var row = db.read(tx -> tx.subscriptions().find("sub_a")).orElseThrow();
        assertThat(row.lastEventId()).isEqualTo("evt_a3");
        assertThat(row.lastEventCreated().getEpochSecond()).isEqualTo(T0 + 20);
    }

    @Test
    void anotherStatementOnADeferredRowSeesTheGroupsEarlierState() {
        ObjectNode s = created("sub_1", "cus_1");
        ObjectNode s2 = price(s.deepCopy(), "pro_monthly", 4);
        // the update's state is written at the end of the group, but the invoice's status change reads the row first
        var answers = together(
                event("evt_u", "customer.subscription.updated", T0 + 10, s2, previous(s, s2)),
                event("evt_f", "invoice.payment_failed", T0 + 20, TestEvents.invoice("in_1", "cus_1", "sub_1", "subscription_cycle")));
        assertThat(outcomes(answers)).containsExactly(Outcome.APPLIED, Outcome.APPLIED);
        assertThat(sub("sub_1").quantity()).isEqualTo(4);
        assertThat(sub("sub_1").status()).isEqualTo("past_due");
    }

    @Test
    void oneFailingEventFailsOnlyItsOwnAnswer() {
        ObjectNode a = created("sub_a", "cus_a");
        ObjectNode a2 = price(a.deepCopy(), "pro_monthly", 2);
        processor.process(parse(event("evt_link", "checkout.session.completed", T0,
                TestEvents.checkoutSession("cs_1", "acme", "cus_1", "subscription", "paid").put("subscription", "sub_x"))));
        // the same customer claimed by another account: the unique constraint refuses the link, the handler fails
        ObjectNode bad = TestEvents.checkoutSession("cs_2", "globex", "cus_1", "payment", "paid");
        ObjectNode b = subscription("sub_b", "cus_b", "pro_monthly", "active");
        var answers = together(
                event("evt_a2", "customer.subscription.updated", T0 + 10, a2, previous(a, a2)),
                event("evt_bad", "checkout.session.completed", T0 + 11, bad),
                event("evt_b", "customer.subscription.created", T0 + 12, b));
        assertThat(outcomes(answers)).containsExactly(Outcome.APPLIED, Outcome.FAILED, Outcome.APPLIED);
        assertThat(sub("sub_a").quantity()).isEqualTo(2);
        assertThat(sub("sub_b").status()).isEqualTo("active");
        assertThat(List.of(stored("evt_a2"), stored("evt_bad"), stored("evt_b"))).containsExactly("applied", "failed", "applied");
        assertThat(count("select count(distinct received_at) from stripe_events where event_id in ('evt_a2', 'evt_bad', 'evt_b')"))
                .as("the group was rolled back and each event ran in a transaction of its own").isEqualTo(3);
        assertThat(count("select count(*) from purchases where stripe_checkout_session_id = 'cs_2'"))
                .as("the failed event's transaction left nothing behind").isZero();
    }

    @Test
    void theNextGroupMayStartOnceTheStatementsAreDoneButNotWhenTheGroupFails() throws Exception {
        ObjectNode a = created("sub_a", "cus_a");
        ObjectNode a2 = price(a.deepCopy(), "pro_monthly", 2);
        ObjectNode b = subscription("sub_b", "cus_b", "pro_monthly", "active");
        List<Long> seenByOthers = new ArrayList<>();
        ExecutorService another = Executors.newSingleThreadExecutor(); // another session, as the next group's would be
        var answers = processor.processTogether(List.of(parse(event("evt_a2", "customer.subscription.updated", T0 + 10, a2, previous(a, a2))),
                parse(event("evt_b", "customer.subscription.created", T0 + 12, b))),
                () -> seenByOthers.add(join(another.submit(() -> count("select count(*) from stripe_events where event_id in ('evt_a2', 'evt_b')")))));
        another.shutdownNow();
        assertThat(outcomes(answers)).containsExactly(Outcome.APPLIED, Outcome.APPLIED);
        assertThat(seenByOthers).as("called once, inside the transaction: its rows were not committed yet").containsExactly(0L);
        assertThat(count("select count(*) from stripe_events where event_id in ('evt_a2', 'evt_b')")).isEqualTo(2);

        processor.process(parse(event("evt_link", "checkout.session.completed", T0,
                TestEvents.checkoutSession("cs_1", "acme", "cus_1", "subscription", "paid").put("subscription", "sub_x"))));
        ObjectNode bad = TestEvents.checkoutSession("cs_2", "globex", "cus_1", "payment", "paid");
        List<String> calls = new ArrayList<>();
        var failed = processor.processTogether(List.of(parse(event("evt_bad", "checkout.session.completed", T0 + 11, bad)),
                parse(event("evt_c", "customer.subscription.created", T0 + 13, subscription("sub_c", "cus_c", "pro_monthly", "active")))),
                () -> calls.add("written"));
        assertThat(outcomes(failed)).containsExactly(Outcome.FAILED, Outcome.APPLIED);
        assertThat(calls).as("a group that fails does not let the next one overtake its events run alone").isEmpty();
    }

    @Test
    void duplicatesInsideAGroupAndOfStoredEventsAreProcessedOnce() {
        ObjectNode session = TestEvents.checkoutSession("cs_9", "acme", "cus_1", "payment", "paid");
        session.putObject("metadata").put("billing_plan", "credits_pack");
        String purchase = event("evt_p", "checkout.session.completed", T0, session);
        ObjectNode a = created("sub_a", "cus_a");
        String createdAgain = event("evt_c_sub_a", "customer.subscription.created", T0, a); // stored above
        ObjectNode a2 = price(a.deepCopy(), "pro_monthly", 2);
        String update = event("evt_a2", "customer.subscription.updated", T0 + 10, a2, previous(a, a2));
        var answers = together(purchase, update, purchase, createdAgain, update);
        assertThat(outcomes(answers))
                .containsExactly(Outcome.APPLIED, Outcome.APPLIED, Outcome.DUPLICATE, Outcome.DUPLICATE, Outcome.DUPLICATE);
        long balance = db.read(tx -> tx.credits().balance("acme"));
        assertThat(balance).as("the purchase's credits once").isEqualTo(500);
        List<?> entries = db.read(tx -> tx.credits().entries("acme"));
        assertThat(entries).hasSize(1);
        assertThat(sub("sub_a").quantity()).isEqualTo(2);
        assertThat(count("select count(*) from stripe_events")).isEqualTo(3);
        assertThat(outcomes(together(purchase, update))).containsExactly(Outcome.DUPLICATE, Outcome.DUPLICATE);
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sessions of this database waiting for a lock (read outside any transaction: its statistics are not cached). */
    private long lockWaiters() {
        return db.jdbi().withHandle(h -> h.createQuery("select count(*) from pg_stat_activity where datname = current_database()"
                + " and wait_event_type = 'Lock'").mapTo(Long.class).one());
    }

    @Test
    void anEventAnotherTransactionStoresMeanwhileIsADuplicateAndTheOthersStillApply() throws Exception {
        ObjectNode a = created("sub_a", "cus_a");
        ObjectNode a2 = price(a.deepCopy(), "pro_monthly", 2);
        String raceRaw = event("evt_race", "customer.subscription.updated", T0 + 10, a2, previous(a, a2));
        ObjectNode b = subscription("sub_b", "cus_b", "pro_monthly", "active");
        // another instance is storing evt_race: its row is inserted, its transaction not committed yet
        Handle other = db.jdbi().open();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            other.begin();
            other.execute("insert into stripe_events (event_id, type, created, object_id, payload, outcome) values"
                    + " ('evt_race', 'customer.subscription.updated', to_timestamp(" + (T0 + 10) + "), 'sub_a', '{}', 'applied')");
            Future<List<EventProcessor.Answer>> group = pool.submit(() -> together(raceRaw,
                    event("evt_b", "customer.subscription.created", T0 + 12, b)));
            // the group waits on evt_race's key until the other transaction ends: PostgreSQL shows it waiting for a lock
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lockWaiters() == 0 && System.nanoTime() < deadline && !group.isDone()) {
                Thread.onSpinWait();
            }
            assertThat(group.isDone()).isFalse();
            assertThat(lockWaiters()).isPositive();
            other.commit();
            assertThat(outcomes(group.get(10, TimeUnit.SECONDS))).containsExactly(Outcome.DUPLICATE, Outcome.APPLIED);
        } finally {
            other.close();
            pool.shutdownNow();
        }
        assertThat(sub("sub_a").quantity()).as("the group's work for evt_race was rolled back").isEqualTo(1);
        assertThat(sub("sub_b").status()).isEqualTo("active");
        assertThat(stored("evt_b")).isEqualTo("applied");
    }

    /**
     * Another instance holds sub_a's row and stores an event for it (its new state and its event row, not committed
     * yet) while a group carrying that subscription starts: the group's first statement waits for the row lock.
     * Returns the group's answers once the other transaction committed.
     */
    private List<EventProcessor.Answer> whileAnotherInstanceStores(String eventId, long created, int quantity, String... group)
            throws Exception {
        Handle other = db.jdbi().open();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            other.begin();
            other.execute("update subscriptions set quantity = ?, last_event_created = to_timestamp(?), last_event_id = ?"
                    + " where stripe_subscription_id = 'sub_a'", quantity, created, eventId);
            other.execute("insert into stripe_events (event_id, type, created, object_id, payload, outcome) values"
                    + " (?, 'customer.subscription.updated', to_timestamp(?), 'sub_a', '{}', 'applied')", eventId, created);
            Future<List<EventProcessor.Answer>> answers = pool.submit(() -> together(group));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lockWaiters() == 0 && System.nanoTime() < deadline && !answers.isDone()) {
                Thread.onSpinWait();
            }
            assertThat(answers.isDone()).isFalse();
            assertThat(lockWaiters()).as("the group waits for sub_a's row").isPositive();
            other.commit();
            return answers.get(10, TimeUnit.SECONDS);
        } finally {
            other.close();
            pool.shutdownNow();
        }
    }

    @Test
    void anEventStoredMeanwhileWhileTheGroupWaitedForItsRowIsADuplicateAndTheOthersStillApply() throws Exception {
        ObjectNode a = created("sub_a", "cus_a");
        ObjectNode a2 = price(a.deepCopy(), "pro_monthly", 2);
        ObjectNode b = subscription("sub_b", "cus_b", "pro_monthly", "active");
        // the duplicate look-up shares the lock's statement, and so its snapshot, taken before the lock waited:
        // it cannot see evt_race, so the group's write meets it, rolls back, and each event runs alone
        var answers = whileAnotherInstanceStores("evt_race", T0 + 10, 2,
                event("evt_race", "customer.subscription.updated", T0 + 10, a2, previous(a, a2)),
                event("evt_b", "customer.subscription.created", T0 + 12, b));
        assertThat(outcomes(answers)).containsExactly(Outcome.DUPLICATE, Outcome.APPLIED);
        assertThat(count("select count(*) from stripe_events where event_id = 'evt_race' and payload = '{}'"))
                .as("the other instance's row, not replaced").isEqualTo(1);
        assertThat(sub("sub_b").status()).isEqualTo("active");
        assertThat(stored("evt_b")).isEqualTo("applied");
    }

    @Test
    void aNewerStateCommittedWhileTheGroupWaitedForItsRowMakesTheGroupsOlderOneStale() throws Exception {
        ObjectNode a = created("sub_a", "cus_a");
        ObjectNode a2 = price(a.deepCopy(), "pro_monthly", 2);
        ObjectNode b = subscription("sub_b", "cus_b", "pro_monthly", "active");
        var answers = whileAnotherInstanceStores("evt_a3", T0 + 20, 3,
                event("evt_a2", "customer.subscription.updated", T0 + 10, a2, previous(a, a2)),
                event("evt_b", "customer.subscription.created", T0 + 12, b));
        assertThat(outcomes(answers)).containsExactly(Outcome.STALE, Outcome.APPLIED);
        assertThat(sub("sub_a").quantity()).as("the row read after the lock's wait: the other instance's newer state").isEqualTo(3);
        assertThat(List.of(stored("evt_a2"), stored("evt_b"))).containsExactly("stale", "applied");
        assertThat(count("select count(distinct received_at) from stripe_events where event_id in ('evt_a2', 'evt_b')"))
                .as("still one transaction for the group").isEqualTo(1);
    }

    @Test
    void concurrentDeliveriesThroughTwoLanesEndAtTheNewestStateWithEachEventOnce() throws Exception {
        int subs = 12;
        int versions = 15;
        List<String> deliveries = new ArrayList<>();
        ObjectNode[] first = new ObjectNode[subs];
        for (int i = 0; i < subs; i++) {
            first[i] = created("sub_" + i, "cus_" + i);
        }
        for (int i = 0; i < subs; i++) {
            for (int v = 2; v <= versions; v++) {
                ObjectNode s = price(first[i].deepCopy(), "pro_monthly", v);
                String raw = event("evt_" + i + "_" + v, "customer.subscription.updated", T0 + v, s, previous(first[i], s));
                deliveries.add(raw);
                if (v % 4 == 0) {
                    deliveries.add(raw); // Stripe delivers it again
                }
            }
        }
        Collections.shuffle(deliveries, new Random(7));
        Map<String, List<Outcome>> byEvent = new ConcurrentHashMap<>();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        // two lanes: groups written side by side, as by two instances on one database
        try (GroupCommit commits = new GroupCommit(processor, 2)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> sent = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int from = t;
                sent.add(senders.submit(() -> {
                    go.await();
                    for (int k = from; k < deliveries.size(); k += 8) {
                        StripeEvent e = parse(deliveries.get(k));
                        Outcome o = commits.process(e).outcome();
                        byEvent.computeIfAbsent(e.id(), x -> Collections.synchronizedList(new ArrayList<>())).add(o);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
        }
        for (int i = 0; i < subs; i++) {
            assertThat(sub("sub_" + i).quantity()).as("sub_" + i + " at its newest state").isEqualTo(versions);
        }
        byEvent.forEach((id, got) -> {
            assertThat(got).as(id).doesNotContain(Outcome.FAILED);
            assertThat(got.stream().filter(o -> o != Outcome.DUPLICATE).count()).as(id + " processed once").isEqualTo(1);
        });
        assertThat(count("select count(*) from stripe_events where event_id ~ '^evt_[0-9]+_[0-9]+$'")).isEqualTo(subs * (versions - 1));
        assertThat(count("select count(distinct received_at) from stripe_events where event_id ~ '^evt_[0-9]+_[0-9]+$'"))
                .as("deliveries that came while a group was written shared the next one's transaction").isLessThan(subs * (versions - 1));
    }
}
