package dev.billingcli.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.BillingException;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.store.Database;
import dev.billingcli.stripe.SubscriptionGateway;
import dev.billingcli.subscription.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.store.Tx;

/**
 * {@code billing sync}: repairs the database from Stripe after missed webhooks. Reads every
 * subscription ({@code status=all}, 100 a page, customers expanded so that the account link comes in
 * the same call) and writes each page in one transaction before reading the next: memory holds one
 * page whatever the total. Rows are written with the page's time on Stripe's clock, through the same
 * ordering guard as events, so a row that an event made newer meanwhile is left alone, and an old
 * event redelivered after the sync cannot take the row back.
 */
public final class SyncService {
    /** What happened to one subscription row. */
    public enum Kind { CREATED, UPDATED, UNCHANGED }

    /** @param accountId null when the customer is linked to no account (kept, counted as unlinked) */
    public record Change(Kind kind, String accountId, String subscriptionId, List<Subscription.Difference> differences) {}

    public record Counts(long created, long updated, long unchanged, long unlinked, int listRequests) {
        public long total() {
            return created + updated + unchanged;
        }
    }

    private final Database database;
    private final SubscriptionGateway stripe;
    private final SubscriptionLedger ledger;

    public SyncService(Catalog catalog, Database database, SubscriptionGateway stripe) {
        this.database = database;
        this.stripe = stripe;
        this.ledger = new SubscriptionLedger(catalog, null);
    }

    /**
     * @param accountId one account's subscriptions, or null for all
     * @param onChange every created or updated row (and unchanged ones), as it is written
     * @param onPage the number of subscriptions in each page read (progress)
     */
    public Counts sync(String accountId, boolean dryRun, Consumer<Change> onChange, java.util.function.IntConsumer onPage) {
        String customer = null;
        if (accountId != null) {
            customer = database.read(tx -> tx.accounts().customerOf(accountId)).orElse(null);
            if (customer == null) {
                customer = stripe.findCustomer(accountId).orElseThrow(() -> BillingException.notFound(
                        "no Stripe customer for account " + accountId + " (in the database or by metadata.account_id)"));
            }
        }
        long[] counts = new long[4];
        int requests = stripe.eachSubscriptionPage(customer, page -> {
            // a dry run goes the same way through the ledger, in a transaction that is rolled back
            List<Change> changes = dryRun ? database.rolledBack(tx -> apply(tx, page)) : database.inTransaction(tx -> apply(tx, page));
            for (Change c : changes) {
                counts[c.kind().ordinal()]++;
                if (c.accountId() == null) {
                    counts[3]++;
                }
                onChange.accept(c);
            }
            onPage.accept(page.subscriptions().size());
        });
        return new Counts(counts[0], counts[1], counts[2], counts[3], requests);
    }

    private List<Change> apply(Tx tx, SubscriptionGateway.Page page) {
        List<Change> changes = new ArrayList<>();
        for (JsonNode json : page.subscriptions()) {
            SubscriptionLedger.Result r = ledger.apply(tx, SubscriptionLedger.Report.answer("sync", page.requestId(), page.asOf(), json));
            JsonNode customer = json.path("customer");
            String email = customer.path("email").asText(null);
            if (r.accountId() != null && email != null && !email.isBlank()
                    && r.after().customerId() != null && r.after().customerId().equals(tx.accounts().customerOf(r.accountId()).orElse(null))) {
                tx.accounts().setEmail(r.accountId(), email);
            }
            Kind kind = switch (r.kind()) {
                case CREATED -> Kind.CREATED;
                case UPDATED -> Kind.UPDATED;
                case UNCHANGED, STALE -> Kind.UNCHANGED;
            };
            List<Subscription.Difference> diffs = new ArrayList<>();
            if (kind == Kind.UPDATED) {
                diffs.addAll(r.before().differences(r.after()));
                if (r.after().accountId() != null && !r.after().accountId().equals(r.before().accountId())) {
                    diffs.add(new Subscription.Difference("account", r.before().accountId(), r.after().accountId()));
                }
            }
            changes.add(new Change(kind, r.accountId(), r.after().id(), diffs));
        }
        return changes;
    }
}
