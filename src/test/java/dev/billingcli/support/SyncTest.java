package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.catalog.CatalogLoader;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.stripe.SubscriptionGateway;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.subscription.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code billing sync}: several pages, canceled subscriptions, unlinked customers, dry run, the ordering guard. */
class SyncTest extends SupportTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private List<Subscription> rows() {
        List<String> ids = db.jdbi().withHandle(h -> h.createQuery("select stripe_subscription_id from subscriptions order by 1")
                .mapTo(String.class).list());
        return db.read(tx -> ids.stream().map(id -> tx.subscriptions().find(id).orElseThrow().subscription()).toList());
    }

    /** 250 subscriptions: 240 on 120 linked customers, 10 on one unlinked customer; every 7th canceled. */
    private List<ObjectNode> seed() {
        List<ObjectNode> subs = new ArrayList<>();
        String unlinked = fake.newCustomer(null).get("id").asText();
        for (int i = 0; i < 250; i++) {
            String customer = i < 240 ? (i % 2 == 0 ? fake.newCustomer("acct_" + (i / 2)).get("id").asText() : null) : unlinked;
            if (customer == null) {
                customer = subs.get(i - 1).get("customer").asText();
            }
            ObjectNode sub = fake.newSubscription(customer, priceId(i % 3 == 0 ? "business_yearly" : "pro_monthly"),
                    i % 7 == 0 ? "canceled" : "active", now - 5 * 86400, now + 25 * 86400, Map.of());
            subs.add(sub);
        }
        fake.clearRequests();
        return subs;
    }

    @Test
    void aFirstSyncCreatesEveryRowAcrossPagesAndASecondFindsNothingToDo() throws Exception {
        seed();
        CliRunner.Result dry = cli.run("-o", "json", "sync", "--all", "--dry-run");
        assertThat(dry.code()).as(dry.toString()).isZero();
        JsonNode d = JSON.readTree(dry.out());
        assertThat(d.get("created").asLong()).isEqualTo(250);
        assertThat(rows()).isEmpty(); // dry run: nothing written
        assertThat(fake.writes()).isEmpty();

        fake.clearRequests();
        CliRunner.Result first = cli.run("-o", "json", "sync", "--all");
        assertThat(first.code()).as(first.toString()).isZero();
        JsonNode r = JSON.readTree(first.out());
        assertThat(r.get("created").asLong()).isEqualTo(250);
        assertThat(r.get("unlinked").asLong()).isEqualTo(10);
        // ⌈250/100⌉ pages, all in one second: one window paged with starting_after, plus the older windows
        // split off while readers were idle (each found empty in one request)
        assertThat(r.get("listRequests").asInt()).isEqualTo(fake.requests().size()).isBetween(3, 3 + 15);
        assertThat(r.get("pages").asInt()).isEqualTo(r.get("listRequests").asInt());
        assertThat(fake.requests()).allSatisfy(q -> assertThat(q.params()).containsEntry("status", "all").containsEntry("limit", "100")
                .containsEntry("expand", List.of("data.customer")).containsKey("created"));

        List<Subscription> rows = rows();
        assertThat(rows).hasSize(250);
        assertThat(rows.stream().filter(Subscription::canceled)).hasSize(36);
        assertThat(rows.stream().filter(s -> s.accountId() == null)).hasSize(10);
        assertThat(rows.stream().filter(s -> "business".equals(s.planId()))).hasSize(84);
        assertThat(rows).allSatisfy(s -> assertThat(s.currentPeriodEnd()).isEqualTo(Instant.ofEpochSecond(now + 25 * 86400)));
        long accounts = db.jdbi().withHandle(h -> h.createQuery("select count(*) from accounts where stripe_customer_id is not null")
                .mapTo(Long.class).one());
        assertThat(accounts).isEqualTo(120);

        CliRunner.Result second = cli.run("sync", "--all");
        assertThat(second.code()).isZero();
        assertThat(second.out()).containsPattern("250 subscription\\(s\\) read in \\d+ request\\(s\\): 0 created, 0 updated, 250 unchanged, 10 unlinked");
    }

    @Test
    void missedWebhooksAreRepairedPerAccountAndAnOldEventCannotUndoTheRepair() throws Exception {
        List<ObjectNode> subs = seed();
        assertThat(cli.run("sync", "--all").code()).isZero();
        // Stripe moved on while the webhooks were lost
        ObjectNode changed = subs.get(2);
        changed.put("status", "past_due");
        ObjectNode ended = subs.get(4);
        ended.put("status", "canceled").put("ended_at", now).put("canceled_at", now);

        CliRunner.Result one = cli.run("sync", "--account", "acct_1");
        assertThat(one.code()).as(one.toString()).isZero();
        assertThat(one.out()).contains("acct_1: " + changed.get("id").asText() + " status active → past_due")
                .contains("1 updated").doesNotContain(ended.get("id").asText());
        assertThat(fake.requests().get(fake.requests().size() - 1).params()).containsKey("customer");

        CliRunner.Result all = cli.run("sync", "--all");
        assertThat(all.out()).contains("acct_2: " + ended.get("id").asText() + " status active → canceled").contains("1 updated");

        // the lost event from before the repair arrives late: the guard refuses it
        Subscription stale = rows().stream().filter(s -> s.id().equals(changed.get("id").asText())).findFirst().orElseThrow()
                .withStatus("active");
        boolean applied = db.read(tx -> tx.subscriptions().replace(stale, Instant.now().minusSeconds(60), "evt_late"));
        assertThat(applied).isFalse();
        assertThat(rows().stream().filter(s -> s.id().equals(changed.get("id").asText())).findFirst().orElseThrow().status())
                .isEqualTo("past_due");

        assertThat(cli.run("sync", "--account", "nobody").code()).isEqualTo(1);
        assertThat(cli.run("sync").code()).isEqualTo(2);
        assertThat(cli.run("sync", "--all", "--account", "acct_1").code()).isEqualTo(2);
    }

    /**
     * The page write ({@code applyPage}, a few statements a page) against one row after another ({@code apply}),
     * on the same database, each in a transaction rolled back: a page of new rows (linked by metadata, of a known
     * customer, of no account), a row the database holds newer, one it holds older, and one held without its
     * account, ends in the same rows, results, links and emails.
     */
    @Test
    void aPageWrittenAtOnceEndsAsOneRowAfterAnotherWould() {
        SubscriptionLedger ledger = new SubscriptionLedger(CatalogLoader.load(java.nio.file.Path.of("plans.yaml"), "plans.yaml"), null);
        ObjectNode newer = seedSubscription("acct_newer", "pro_monthly", "active", now - 5 * 86400, now + 25 * 86400, Map.of(), x -> {});
        ObjectNode older = seedSubscription("acct_older", "pro_monthly", "active", now - 5 * 86400, now + 25 * 86400, Map.of(), x -> {});
        ObjectNode known = seedSubscription("acct_known", "pro_monthly", "active", now - 5 * 86400, now + 25 * 86400, Map.of(), x -> {});
        ObjectNode late = fake.newCustomer("acct_late").put("email", "late@example.com");
        ObjectNode unlinkedRow = fake.newSubscription(late.get("id").asText(), priceId("pro_monthly"), "active", now - 86400, now + 86400, Map.of());
        ObjectNode fresh = fake.newCustomer("acct_fresh").put("email", "fresh@example.com");
        ObjectNode freshElsewhere = fake.newSubscription(fresh.get("id").asText(), priceId("pro_monthly"), "active", now - 86400, now, Map.of());
        db.useTransaction(tx -> {
            // the database holds a state newer than the page; a row without its account; another of the new customer's
            tx.subscriptions().replace(read(newer).withAccount("acct_newer").withStatus("past_due"), Instant.ofEpochSecond(now + 3600), "evt_newer");
            tx.subscriptions().insertIfAbsent(read(unlinkedRow), Instant.ofEpochSecond(now - 86400), "evt_unlinked");
            tx.subscriptions().insertIfAbsent(read(freshElsewhere), Instant.ofEpochSecond(now - 86400), "evt_elsewhere");
            tx.purchases().upsert(new dev.billingcli.store.PurchaseStore.Purchase("cs_fresh", null, fresh.get("id").asText(), "pro", 900L,
                    "eur", "paid"));
        });
        older.put("status", "past_due");
        List<ObjectNode> page = List.of(
                withCustomer(fake.newSubscription(fresh.get("id").asText(), priceId("business_yearly"), "active", now, now + 86400, Map.of()), fresh),
                withCustomer(fake.newSubscription(known.get("customer").asText(), priceId("pro_monthly"), "trialing", now, now + 86400, Map.of()),
                        customer(known.get("customer").asText()).put("email", "known@example.com")),
                withCustomer(fake.newSubscription(fake.newCustomer(null).get("id").asText(), priceId("pro_monthly"), "active", now, now + 86400,
                        Map.of()), null),
                withCustomer(older, null), withCustomer(newer, null), withCustomer(unlinkedRow, late));
        List<String> ids = page.stream().map(o -> o.get("id").asText()).toList();
        List<String> accounts = List.of("acct_fresh", "acct_known", "acct_late", "acct_older", "acct_newer");
        java.util.function.Function<dev.billingcli.store.Tx, List<Object>> after = tx -> List.of(
                java.util.stream.Stream.concat(ids.stream(), java.util.stream.Stream.of(freshElsewhere.get("id").asText()))
                        .map(id -> tx.subscriptions().find(id).orElseThrow()).toList(),
                accounts.stream().map(a -> tx.accounts().customerOf(a).orElse("-") + " " + tx.accounts().emailOf(a).orElse("-")).toList(),
                tx.purchases().find("cs_fresh").orElseThrow());
        SubscriptionGateway.Page answer = new SubscriptionGateway.Page(List.copyOf(page), Instant.ofEpochSecond(now), "req_page");
        List<SubscriptionLedger.Report> reports = page.stream()
                .map(o -> SubscriptionLedger.Report.answer("sync", "req_page", Instant.ofEpochSecond(now), o)).toList();

        List<Object> oneByOne = db.rolledBack(tx -> {
            List<Object> r = new ArrayList<>(reports.stream().map(rep -> ledger.apply(tx, rep)).toList());
            r.addAll(after.apply(tx));
            return r;
        });
        List<Object> atOnce = db.rolledBack(tx -> {
            List<Object> r = new ArrayList<>(ledger.applyPage(tx, reports));
            r.addAll(after.apply(tx));
            return r;
        });
        assertThat(atOnce).isEqualTo(oneByOne);
        assertThat(((dev.billingcli.store.PurchaseStore.Purchase) atOnce.get(8)).accountId()).isEqualTo("acct_fresh");
        assertThat(atOnce.subList(0, 6)).extracting(r -> ((SubscriptionLedger.Result) r).kind() + " " + ((SubscriptionLedger.Result) r).accountId())
                .containsExactly("CREATED acct_fresh", "CREATED acct_known", "CREATED null", "UPDATED acct_older", "STALE acct_newer",
                        "UPDATED acct_late");
        java.util.Optional<SubscriptionStore.Stored> none = db.read(tx -> tx.subscriptions().find(ids.get(0)));
        assertThat(none).isEmpty(); // both rolled back

        // through sync's page write, emails included: each account takes its own customer's email
        List<String> accountsAfter = db.inTransaction(tx -> {
            new SyncService(CatalogLoader.load(java.nio.file.Path.of("plans.yaml"), "plans.yaml"), db, null).apply(tx, answer);
            return accounts.stream().map(a -> tx.accounts().customerOf(a).orElse("-") + " " + tx.accounts().emailOf(a).orElse("-")).toList();
        });
        assertThat(accountsAfter).containsExactly(fresh.get("id").asText() + " fresh@example.com",
                known.get("customer").asText() + " known@example.com", late.get("id").asText() + " late@example.com",
                older.get("customer").asText() + " -", newer.get("customer").asText() + " -");
        assertThat(db.read(tx -> tx.subscriptions().find(freshElsewhere.get("id").asText())).orElseThrow().subscription().accountId())
                .isEqualTo("acct_fresh"); // filed under the account its customer was linked to
        assertThat(db.read(tx -> tx.purchases().find("cs_fresh")).orElseThrow().accountId()).isEqualTo("acct_fresh");
    }

    private ObjectNode withCustomer(ObjectNode subscription, ObjectNode customer) {
        ObjectNode copy = subscription.deepCopy();
        copy.set("customer", customer != null ? customer.deepCopy()
                : customer(subscription.get("customer").asText()));
        return copy;
    }

    private ObjectNode customer(String id) {
        return fake.customers().stream().filter(c -> c.get("id").asText().equals(id)).findFirst().orElseThrow().deepCopy();
    }

    private static Subscription read(ObjectNode stripe) {
        return Subscription.fromStripe(stripe, k -> java.util.Optional.of(k.substring(0, k.lastIndexOf('_'))));
    }
}
