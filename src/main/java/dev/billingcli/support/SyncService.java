package dev.billingcli.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.BillingException;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.PlanPrice;
import dev.billingcli.store.AccountStore;
import dev.billingcli.store.Database;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.stripe.SubscriptionGateway;
import dev.billingcli.subscription.Subscription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

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
    public record Change(Kind kind, String accountId, String subscriptionId, List<SupportService.Difference> differences) {}

    public record Counts(long created, long updated, long unchanged, long unlinked, int listRequests) {
        public long total() {
            return created + updated + unchanged;
        }
    }

    private final Catalog catalog;
    private final Database database;
    private final SubscriptionGateway stripe;

    public SyncService(Catalog catalog, Database database, SubscriptionGateway stripe) {
        this.catalog = catalog;
        this.database = database;
        this.stripe = stripe;
    }

    private Optional<String> planOfLookupKey(String lookupKey) {
        return catalog.priceByLookupKey(lookupKey).map(PlanPrice::planId);
    }

    /**
     * @param accountId one account's subscriptions, or null for all
     * @param onChange every created or updated row (and unchanged ones), as it is written
     * @param onPage the number of subscriptions in each page read (progress)
     */
    public Counts sync(String accountId, boolean dryRun, Consumer<Change> onChange, java.util.function.IntConsumer onPage) {
        String customer = null;
        if (accountId != null) {
            customer = database.jdbi().withHandle(h -> AccountStore.customerOf(h, accountId)).orElse(null);
            if (customer == null) {
                customer = stripe.findCustomer(accountId).orElseThrow(() -> BillingException.notFound(
                        "no Stripe customer for account " + accountId + " (in the database or by metadata.account_id)"));
            }
        }
        long[] counts = new long[4];
        int requests = stripe.eachSubscriptionPage(customer, page -> {
            List<Change> changes = dryRun
                    ? database.jdbi().withHandle(h -> apply(h, page, false))
                    : database.jdbi().inTransaction(h -> apply(h, page, true));
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

    private List<Change> apply(Handle h, SubscriptionGateway.Page page, boolean write) {
        List<String> ids = new ArrayList<>();
        page.subscriptions().forEach(s -> ids.add(s.get("id").asText()));
        Map<String, SubscriptionStore.Stored> existing = SubscriptionStore.findAll(h, ids);
        java.util.Set<String> customers = new java.util.HashSet<>();
        page.subscriptions().forEach(s -> customers.add(Subscription.idOf(s.path("customer"))));
        Map<String, String> linked = AccountStore.accountsOfCustomers(h, customers);
        Map<String, String> accountOfCustomer = new HashMap<>();
        List<Subscription> inserts = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        String eventId = "sync:" + page.requestId();
        for (JsonNode json : page.subscriptions()) {
            Subscription s = Subscription.fromStripe(json, this::planOfLookupKey);
            String account = linked.containsKey(s.customerId()) ? linked.get(s.customerId())
                    : accountOfCustomer.computeIfAbsent(s.customerId(), c -> account(h, c, json.path("customer"), write));
            if (s.accountId() == null && account != null) {
                s = s.withAccount(account);
            }
            SubscriptionStore.Stored stored = existing.get(s.id());
            if (stored == null) {
                inserts.add(s);
                changes.add(new Change(Kind.CREATED, s.accountId(), s.id(), List.of()));
                continue;
            }
            List<SupportService.Difference> diffs = new ArrayList<>(SupportService.differences(stored.subscription(), s));
            if (s.accountId() != null && !s.accountId().equals(stored.subscription().accountId())) {
                diffs.add(new SupportService.Difference("account", stored.subscription().accountId(), s.accountId()));
            }
            boolean newer = stored.lastEventCreated() != null && stored.lastEventCreated().isAfter(page.asOf());
            if (diffs.isEmpty() || newer) {
                changes.add(new Change(Kind.UNCHANGED, s.accountId() != null ? s.accountId() : stored.subscription().accountId(), s.id(),
                        List.of()));
                continue;
            }
            if (write) {
                SubscriptionStore.replace(h, s, page.asOf(), eventId);
            }
            changes.add(new Change(Kind.UPDATED, s.accountId(), s.id(), diffs));
        }
        if (write) {
            SubscriptionStore.insertAllIfAbsent(h, inserts, page.asOf(), eventId);
        }
        return changes;
    }

    /**
     * The account of a customer the database has not linked: the customer's {@code metadata.account_id}
     * (linked now); null when it has none.
     */
    private static String account(Handle h, String customerId, JsonNode customer, boolean write) {
        String fromMetadata = customer.path("metadata").path(SubscriptionGateway.ACCOUNT_ID).asText(null);
        if (fromMetadata == null || fromMetadata.isBlank()) {
            return null;
        }
        Optional<String> other = AccountStore.customerOf(h, fromMetadata);
        if (other.isPresent() && !other.get().equals(customerId)) {
            return fromMetadata; // the account has another customer: keep that link, still file the subscription under it
        }
        if (write) {
            AccountStore.linkCustomer(h, fromMetadata, customerId);
            SubscriptionStore.linkAccount(h, customerId, fromMetadata);
        }
        return fromMetadata;
    }
}
