package dev.billingcli.store;

import org.jdbi.v3.core.Handle;

/**
 * One unit of work on the database: the stores, all on one connection and (from
 * {@link Database#inTransaction}) one transaction. Nothing outside {@code store/} sees Jdbi: the core
 * asks the stores, and the stores write the rows.
 */
public final class Tx {
    private final AccountStore accounts;
    private final SubscriptionStore subscriptions;
    private final EventStore events;
    private final CreditLedger credits;
    private final AuditLog audit;
    private final LicenseStore licenses;
    private final PurchaseStore purchases;
    private final AccountQueries accountQueries;
    private final PriceMigrationStore priceMigrations;
    private final RefundStore refunds;
    private final SyncRunStore syncRuns;

    Tx(Handle h) {
        accounts = new AccountStore(h);
        subscriptions = new SubscriptionStore(h);
        events = new EventStore(h);
        credits = new CreditLedger(h);
        audit = new AuditLog(h);
        licenses = new LicenseStore(h);
        purchases = new PurchaseStore(h);
        accountQueries = new AccountQueries(h);
        priceMigrations = new PriceMigrationStore(h);
        refunds = new RefundStore(h);
        syncRuns = new SyncRunStore(h);
    }

    public AccountStore accounts() {
        return accounts;
    }

    public SubscriptionStore subscriptions() {
        return subscriptions;
    }

    public EventStore events() {
        return events;
    }

    /**
     * Group commit's first statement: locks and reads the rows of these subscriptions (as
     * {@link SubscriptionStore#lockAhead}) and finds which of these events are stored already (as
     * {@link EventStore#outcomesOf}), in one round trip.
     *
     * @return the stored outcome of each event id that has a row
     */
    public java.util.Map<String, String> lockAheadFindingStored(java.util.Collection<String> subscriptionIds,
            java.util.Collection<String> eventIds) {
        return subscriptions.lockAheadFindingStored(subscriptionIds, eventIds);
    }

    /**
     * Group commit's last statement: the subscription states deferred in this transaction
     * ({@link SubscriptionStore#flush}) and these events ({@link EventStore#storeAll}), written in one statement.
     *
     * @return the ids of the events stored; one missing was stored by another transaction first
     */
    public java.util.Set<String> storeWithDeferredStates(java.util.List<EventStore.NewEvent> events) {
        return subscriptions.flushStoring(events);
    }

    public CreditLedger credits() {
        return credits;
    }

    public AuditLog audit() {
        return audit;
    }

    public LicenseStore licenses() {
        return licenses;
    }

    public PurchaseStore purchases() {
        return purchases;
    }

    /** Checkpoints of long reads of Stripe's lists (sync --all, events fetch): what is left to read. */
    public SyncRunStore syncRuns() {
        return syncRuns;
    }

    /** Read-only queries over many accounts: finding accounts, the revenue report. */
    public AccountQueries accountQueries() {
        return accountQueries;
    }

    /** The checkpoint of {@code prices migrate}. */
    public PriceMigrationStore priceMigrations() {
        return priceMigrations;
    }

    /** Refunds of the accounts' payments (status shows them). */
    public RefundStore refunds() {
        return refunds;
    }
}
