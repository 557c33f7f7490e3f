package dev.billingcli.webhook;

import static dev.billingcli.webhook.TestEvents.T0;
import static dev.billingcli.webhook.TestEvents.event;
import static dev.billingcli.webhook.TestEvents.parse;
import static dev.billingcli.webhook.TestEvents.previous;
import static dev.billingcli.webhook.TestEvents.price;
import static dev.billingcli.webhook.TestEvents.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.TestPostgres;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.store.CreditLedger;
import dev.billingcli.store.Database;
import dev.billingcli.store.EventStore;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.subscription.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The processor against a real PostgreSQL: exactly-once effect, ordering, ties, handlers. */
class EventProcessorTest {
    private final Catalog catalog = TestEvents.catalog();
    private Database db;
    private EventProcessor processor;

    @BeforeEach
    void open() {
        db = TestEvents.database(TestPostgres.newDatabaseUrl());
        processor = new EventProcessor(db, catalog, null);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private EventProcessor.Result process(String raw) {
        return processor.process(parse(raw));
    }

    private Subscription sub(String id) {
        return db.read(tx -> tx.subscriptions().find(id)).orElseThrow().subscription();
    }

    private String outcome(String eventId) {
        return db.read(tx -> tx.events().find(eventId)).orElseThrow().outcome();
    }

    private long eventCount() {
        return db.read(tx -> tx.events().count());
    }

    @Test
    void createdEventRecordsTheStateFromTheItems() {
        ObjectNode s = subscription("sub_1", "cus_1", "pro_yearly", "trialing");
        s.put("trial_start", T0).put("trial_end", T0 + 14 * 86400);
        TestEvents.period(s, T0 + 10, T0 + 20);
        var r = process(event("evt_1", "customer.subscription.created", T0, s));
        assertThat(r.outcome()).isEqualTo(Outcome.APPLIED);
        Subscription got = sub("sub_1");
        assertThat(got.planId()).isEqualTo("pro");
        assertThat(got.priceLookupKey()).isEqualTo("pro_yearly");
        assertThat(got.interval()).isEqualTo("year");
        assertThat(got.status()).isEqualTo("trialing");
        assertThat(got.currentPeriodStart().getEpochSecond()).isEqualTo(T0 + 10);
        assertThat(got.currentPeriodEnd().getEpochSecond()).isEqualTo(T0 + 20);
        assertThat(got.trialEnd().getEpochSecond()).isEqualTo(T0 + 14 * 86400);
        assertThat(got.accountId()).as("no account known yet: kept, linked later").isNull();
    }

    @Test
    void aDuplicateAppliesOnceAndAnswersDuplicate() {
        ObjectNode s = subscription("sub_1", "cus_1", "pro_monthly", "active");
        String raw = event("evt_1", "customer.subscription.created", T0, s);
        assertThat(process(raw).outcome()).isEqualTo(Outcome.APPLIED);
        ObjectNode s2 = s.deepCopy().put("status", "past_due");
        process(event("evt_2", "customer.subscription.updated", T0 + 5, s2, previous(s, s2)));
        assertThat(process(raw).outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(sub("sub_1").status()).as("the repeated older event changed nothing").isEqualTo("past_due");
        assertThat(eventCount()).isEqualTo(2);
        assertThat(outcome("evt_1")).isEqualTo("applied");
    }

    @Test
    void anOlderEventNeverOverwritesANewerOne() {
        ObjectNode s1 = subscription("sub_1", "cus_1", "pro_monthly", "active");
        ObjectNode s2 = s1.deepCopy().put("cancel_at_period_end", true);
        assertThat(process(event("evt_new", "customer.subscription.updated", T0 + 60, s2, previous(s1, s2))).outcome())
                .isEqualTo(Outcome.APPLIED);
        assertThat(process(event("evt_old", "customer.subscription.created", T0, s1)).outcome()).isEqualTo(Outcome.STALE);
        assertThat(sub("sub_1").cancelAtPeriodEnd()).isTrue();
        assertThat(outcome("evt_old")).as("stored, not applied").isEqualTo("stale");
    }

    @Test
    void aLateOldEventDoesNotChangeTheCurrentPriceOrItem() {
        ObjectNode s1 = subscription("sub_1", "cus_1", "pro_monthly", "active");
        ObjectNode s2 = price(s1.deepCopy(), "business_monthly", 3);
        ObjectNode s3 = price(s2.deepCopy(), "business_yearly", 3);
        process(event("evt_1", "customer.subscription.created", T0, s1));
        process(event("evt_3", "customer.subscription.updated", T0 + 20, s3, previous(s2, s3)));
        assertThat(process(event("evt_2", "customer.subscription.updated", T0 + 10, s2, previous(s1, s2))).outcome())
                .isEqualTo(Outcome.STALE);
        Subscription got = sub("sub_1");
        assertThat(got.priceId()).isEqualTo("price_business_yearly");
        assertThat(got.planId()).isEqualTo("business");
        assertThat(got.interval()).isEqualTo("year");
        assertThat(got.quantity()).isEqualTo(3);
    }

    @Test
    void twoUpdatesInTheSameSecondBothLandInOrderWhicheverArrivesFirst() {
        for (boolean reversed : new boolean[] {false, true}) {
            String id = reversed ? "sub_r" : "sub_f";
            ObjectNode s0 = subscription(id, "cus_" + id, "pro_monthly", "active");
            ObjectNode s1 = price(s0.deepCopy(), "pro_monthly", 2);
            ObjectNode s2 = s1.deepCopy().put("cancel_at_period_end", true);
            process(event("evt_0" + id, "customer.subscription.created", T0, s0));
            String u1 = event("evt_1" + id, "customer.subscription.updated", T0 + 7, s1, previous(s0, s1));
            String u2 = event("evt_2" + id, "customer.subscription.updated", T0 + 7, s2, previous(s1, s2));
            if (reversed) {
                assertThat(process(u2).outcome()).isEqualTo(Outcome.APPLIED);
                assertThat(process(u1).outcome()).isEqualTo(Outcome.STALE);
            } else {
                var r1 = process(u1);
                assertThat(r1.outcome()).as(String.valueOf(r1.note())).isEqualTo(Outcome.APPLIED);
                assertThat(process(u2).outcome()).isEqualTo(Outcome.APPLIED);
            }
            Subscription got = sub(id);
            assertThat(got.quantity()).as("reversed=" + reversed).isEqualTo(2);
            assertThat(got.cancelAtPeriodEnd()).as("reversed=" + reversed).isTrue();
        }
    }

    @Test
    void threeUpdatesInOneSecondArrivingOneThreeTwoEndOnTheThird() {
        ObjectNode s0 = subscription("sub_1", "cus_1", "pro_monthly", "active");
        ObjectNode s1 = price(s0.deepCopy(), "pro_monthly", 2);
        ObjectNode s2 = price(s1.deepCopy(), "pro_monthly", 3);
        ObjectNode s3 = price(s2.deepCopy(), "pro_monthly", 4);
        process(event("evt_0", "customer.subscription.created", T0, s0));
        process(event("evt_1", "customer.subscription.updated", T0 + 1, s1, previous(s0, s1)));
        var third = process(event("evt_3", "customer.subscription.updated", T0 + 1, s3, previous(s2, s3)));
        assertThat(third.outcome()).as("the payloads cannot place it yet, and no key to ask Stripe").isEqualTo(Outcome.STALE);
        assertThat(third.note()).contains("order not settled");
        process(event("evt_2", "customer.subscription.updated", T0 + 1, s2, previous(s1, s2)));
        assertThat(sub("sub_1").quantity()).as("once the middle event arrives, the newest state is restored").isEqualTo(4);
        assertThat(outcome("evt_3")).isEqualTo("applied");
        assertThat(outcome("evt_2")).isEqualTo("stale");
    }

    @Test
    void aTieThePayloadsCannotSettleIsSettledByFetchingFromStripe() {
        ObjectNode s0 = subscription("sub_1", "cus_1", "pro_monthly", "active");
        ObjectNode s1 = s0.deepCopy().put("cancel_at_period_end", true);
        ObjectNode s2 = s1.deepCopy().put("cancel_at_period_end", false); // changed back in the same second
        List<String> fetched = new ArrayList<>();
        EventProcessor withKey = new EventProcessor(db, catalog, id -> {
            fetched.add(id);
            return Optional.<JsonNode>of(s2);
        });
        withKey.process(parse(event("evt_0", "customer.subscription.created", T0, s0)));
        withKey.process(parse(event("evt_2", "customer.subscription.updated", T0 + 3, s2, previous(s1, s2))));
        var late = withKey.process(parse(event("evt_1", "customer.subscription.updated", T0 + 3, s1, previous(s0, s1))));
        assertThat(fetched).containsExactly("sub_1");
        assertThat(late.note()).contains("fetched from Stripe");
        assertThat(sub("sub_1").cancelAtPeriodEnd()).isFalse();
    }

    @Test
    void createdUpdatedAndDeletedInOneSecondEndDeletedInAnyOrder() {
        ObjectNode s0 = subscription("sub_1", "cus_1", "pro_monthly", "active");
        ObjectNode s1 = s0.deepCopy().put("cancel_at_period_end", true);
        ObjectNode s2 = s1.deepCopy().put("status", "canceled").put("ended_at", T0 + 2).put("canceled_at", T0 + 2);
        process(event("evt_d", "customer.subscription.deleted", T0 + 2, s2));
        process(event("evt_u", "customer.subscription.updated", T0 + 2, s1, previous(s0, s1)));
        process(event("evt_c", "customer.subscription.created", T0 + 2, s0));
        assertThat(sub("sub_1").status()).isEqualTo("canceled");
        assertThat(outcome("evt_u")).isEqualTo("stale");
        assertThat(outcome("evt_c")).isEqualTo("stale");
    }

    @Test
    void unknownTypesAreStoredAsIgnored() {
        var r = process(event("evt_x", "customer.tax_id.created", T0, TestEvents.JSON.createObjectNode().put("id", "txi_1")));
        assertThat(r.outcome()).isEqualTo(Outcome.IGNORED);
        assertThat(outcome("evt_x")).isEqualTo("ignored");
    }

    @Test
    void checkoutLinksTheAccountToASubscriptionThatArrivedFirst() {
        process(event("evt_1", "customer.subscription.created", T0, subscription("sub_1", "cus_1", "pro_monthly", "active")));
        ObjectNode session = TestEvents.checkoutSession("cs_1", "acme", "cus_1", "subscription", "paid").put("subscription", "sub_1");
        var r = process(event("evt_2", "checkout.session.completed", T0 + 1, session));
        assertThat(r.accountId()).isEqualTo("acme");
        assertThat(sub("sub_1").accountId()).isEqualTo("acme");
        assertThat(sub("sub_1").status()).isEqualTo("active");
        var later = process(event("evt_3", "customer.subscription.updated", T0 + 2,
                subscription("sub_1", "cus_1", "pro_monthly", "past_due")));
        assertThat(later.accountId()).isEqualTo("acme");
    }

    @Test
    void bankTransferCheckoutIsPendingUntilTheMoneyArrives() {
        ObjectNode session = TestEvents.checkoutSession("cs_1", "acme", "cus_1", "subscription", "unpaid").put("subscription", "sub_1");
        session.putArray("payment_method_types").add("customer_balance");
        process(event("evt_1", "checkout.session.completed", T0, session));
        assertThat(sub("sub_1").status()).isEqualTo("pending_bank_transfer");
        ObjectNode paid = session.deepCopy().put("payment_status", "paid");
        process(event("evt_2", "checkout.session.async_payment_succeeded", T0 + 3600, paid));
        assertThat(sub("sub_1").status()).isEqualTo("active");
    }

    @Test
    void oneTimePurchaseGrantsCreditsOnceEvenWhenTheSuccessIsReportedTwice() {
        ObjectNode session = TestEvents.checkoutSession("cs_9", "acme", "cus_1", "payment", "unpaid");
        session.putObject("metadata").put("billing_plan", "credits_pack");
        process(event("evt_1", "checkout.session.completed", T0, session));
        assertThat(balance("acme")).isZero();
        ObjectNode paid = session.deepCopy().put("payment_status", "paid");
        process(event("evt_2", "checkout.session.async_payment_succeeded", T0 + 60, paid));
        process(event("evt_2", "checkout.session.async_payment_succeeded", T0 + 60, paid));
        process(event("evt_3", "checkout.session.completed", T0 + 61, paid));
        assertThat(balance("acme")).isEqualTo(500);
        assertThat(entries("acme")).hasSize(1);
    }

    @Test
    void renewalResetsCreditsOncePerInvoiceAndLeavesPastDue() {
        ObjectNode session = TestEvents.checkoutSession("cs_1", "acme", "cus_1", "subscription", "paid").put("subscription", "sub_1");
        process(event("evt_1", "checkout.session.completed", T0, session));
        ObjectNode s = subscription("sub_1", "cus_1", "pro_monthly", "active");
        process(event("evt_2", "customer.subscription.created", T0, s));
        process(event("evt_3", "invoice.paid", T0 + 1, TestEvents.invoice("in_1", "cus_1", "sub_1", "subscription_create")));
        assertThat(balance("acme")).isEqualTo(1000);
        db.useTransaction(tx -> tx.credits().grant("acme", -400, "usage", "usage:1"));
        process(event("evt_4", "invoice.payment_failed", T0 + 100, TestEvents.invoice("in_2", "cus_1", "sub_1", "subscription_cycle")));
        assertThat(sub("sub_1").status()).isEqualTo("past_due");
        ObjectNode renewal = TestEvents.invoice("in_2", "cus_1", "sub_1", "subscription_cycle");
        process(event("evt_5", "invoice.paid", T0 + 200, renewal));
        process(event("evt_6", "invoice.payment_succeeded", T0 + 200, renewal));
        assertThat(sub("sub_1").status()).isEqualTo("active");
        assertThat(balance("acme")).as("reset to the plan's amount, once").isEqualTo(1000);
        assertThat(entries("acme")).extracting(CreditLedger.Entry::delta)
                .containsExactly(1000L, -400L, 400L);
    }

    @Test
    void aFailingHandlerStoresTheEventAsFailedAndARedeliveryTriesAgain() {
        ObjectNode bad = TestEvents.checkoutSession("cs_1", "acme", "cus_1", "subscription", "paid").put("subscription", "sub_1");
        process(event("evt_1", "checkout.session.completed", T0, bad));
        // the same customer claimed by another account: the unique constraint refuses the link
        ObjectNode other = TestEvents.checkoutSession("cs_2", "globex", "cus_1", "payment", "paid");
        var r = process(event("evt_2", "checkout.session.completed", T0 + 1, other));
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(outcome("evt_2")).isEqualTo("failed");
        long purchases = db.jdbi().withHandle(h -> h.createQuery("select count(*) from purchases").mapTo(Long.class).one());
        assertThat(purchases).as("the failed transaction left nothing behind").isZero();
        var again = process(event("evt_2", "checkout.session.completed", T0 + 1, other));
        assertThat(again.outcome()).as("a failed event is not a duplicate: it is tried again").isEqualTo(Outcome.FAILED);
    }

    @Test
    void aRedeliveryOfAnAppliedEventIsADuplicateEvenWhenHandlingItAgainWouldFail() {
        ObjectNode session = TestEvents.checkoutSession("cs_1", "acme", "cus_1", "payment", "paid");
        String raw = event("evt_1", "checkout.session.completed", T0, session);
        assertThat(process(raw).outcome()).isEqualTo(Outcome.APPLIED);
        // meanwhile the customer moved to another account: linking acme to it again would break the unique key
        db.jdbi().useHandle(h -> h.execute("update accounts set stripe_customer_id = null where account_id = 'acme'"));
        db.jdbi().useHandle(h -> h.execute("insert into accounts (account_id, stripe_customer_id) values ('globex', 'cus_1')"));
        var again = process(raw);
        assertThat(again.outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(outcome("evt_1")).as("the stored outcome is kept").isEqualTo("applied");
        assertThat(eventCount()).isEqualTo(1);
    }

    private List<CreditLedger.Entry> entries(String account) {
        return db.read(tx -> tx.credits().entries(account));
    }

    private long balance(String account) {
        return db.read(tx -> tx.credits().balance(account));
    }
}
