package dev.billingcli.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.PlanPrice;
import dev.billingcli.subscription.Subscription;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;

/** What a handler works with: the event, the open transaction, the catalog, and what it reports back. */
public final class HandlerContext {
    private final Handle handle;
    private final StripeEvent event;
    private final Catalog catalog;
    private final Function<String, Optional<JsonNode>> subscriptionFetcher;
    private String accountId;
    private String note;

    /** @param subscriptionFetcher the subscription's current state from Stripe, or null without a Stripe key */
    HandlerContext(Handle handle, StripeEvent event, Catalog catalog, Function<String, Optional<JsonNode>> subscriptionFetcher) {
        this.handle = handle;
        this.event = event;
        this.catalog = catalog;
        this.subscriptionFetcher = subscriptionFetcher;
    }

    public Handle handle() {
        return handle;
    }

    public StripeEvent event() {
        return event;
    }

    public Catalog catalog() {
        return catalog;
    }

    /** The account the event concerns, for the log line and {@code events list --account}. */
    public void account(String id) {
        if (id != null) {
            accountId = id;
        }
    }

    public String accountId() {
        return accountId;
    }

    /** A short explanation stored with the event (why it was stale, what was settled how). */
    public void note(String text) {
        note = text;
    }

    public String note() {
        return note;
    }

    public Optional<String> planOfLookupKey(String lookupKey) {
        return catalog.priceByLookupKey(lookupKey).map(PlanPrice::planId);
    }

    public Subscription subscription(JsonNode stripeObject) {
        return Subscription.fromStripe(stripeObject, this::planOfLookupKey);
    }

    public boolean canFetch() {
        return subscriptionFetcher != null;
    }

    /** The subscription as Stripe has it now; empty without a Stripe key. */
    public Optional<JsonNode> fetchSubscription(String id) {
        return subscriptionFetcher == null ? Optional.empty() : subscriptionFetcher.apply(id);
    }
}
