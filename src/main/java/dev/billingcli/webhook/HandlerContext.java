package dev.billingcli.webhook;

import dev.billingcli.catalog.Catalog;
import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.store.Tx;

/** What a handler works with: the event, the open transaction, the ledger, the catalog, and what it reports back. */
public final class HandlerContext {
    private final Tx tx;
    private final StripeEvent event;
    private final Catalog catalog;
    private final SubscriptionLedger ledger;
    private String accountId;
    private String note;

    HandlerContext(Tx tx, StripeEvent event, Catalog catalog, SubscriptionLedger ledger) {
        this.tx = tx;
        this.event = event;
        this.catalog = catalog;
        this.ledger = ledger;
    }

    public Tx tx() {
        return tx;
    }

    public StripeEvent event() {
        return event;
    }

    public Catalog catalog() {
        return catalog;
    }

    /** The one write path for subscription state, credits and account links. */
    public SubscriptionLedger ledger() {
        return ledger;
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
}
