package dev.billingcli.webhook.handlers;

import dev.billingcli.store.AccountStore;
import dev.billingcli.store.EventStore;
import dev.billingcli.store.PurchaseStore;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.store.SubscriptionStore.Stored;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;
import dev.billingcli.webhook.Rejection;
import dev.billingcli.webhook.StripeEvent;
import dev.billingcli.webhook.SubscriptionOrdering;
import dev.billingcli.webhook.SubscriptionOrdering.Decision;
import java.util.List;

/** Applying a subscription's full state from a {@code customer.subscription.*} event, in order. */
final class SubscriptionStates {
    private SubscriptionStates() {}

    static Outcome apply(HandlerContext c) {
        StripeEvent e = c.event();
        Subscription incoming = c.subscription(e.object());
        // the row lock serialises the events of one subscription across threads and instances
        Stored stored = SubscriptionStore.lock(c.handle(), incoming.id()).orElse(null);
        // a row already linked to its account spares the customer look-up (one round trip of four on
        // every update): a subscription's customer never changes, and a customer's link is never undone
        String linked = stored == null ? null : stored.subscription().accountId();
        String account = linked != null ? linked
                : accountOf(c, incoming.customerId(), e.object().path("metadata").path("account_id").asText(null));
        incoming = incoming.withAccount(account);
        c.account(account);
        if (stored == null) {
            if (SubscriptionStore.insertIfAbsent(c.handle(), incoming, e.created(), e.id())) {
                return Outcome.APPLIED;
            }
            stored = SubscriptionStore.lock(c.handle(), incoming.id()).orElseThrow(); // inserted meanwhile
        }
        c.account(stored.subscription().accountId());
        Decision d = SubscriptionOrdering.decide(stored, e, () -> sameSecond(c, e), c.canFetch() ? c::fetchSubscription : null);
        c.note(d.note());
        if (d.keep()) {
            return e.id().equals(stored.lastEventId()) ? Outcome.APPLIED : Outcome.STALE;
        }
        Subscription state = d.state() == e.object() ? incoming : c.subscription(d.state()).withAccount(account);
        if (!SubscriptionStore.replace(c.handle(), state, e.created(), d.eventId())) {
            throw new IllegalStateException("the ordering guard refused a state the ordering rule chose");
        }
        if (!d.eventId().equals(e.id())) {
            EventStore.setOutcome(c.handle(), d.eventId(), Outcome.APPLIED.wire());
            return Outcome.STALE;
        }
        return Outcome.APPLIED;
    }

    /**
     * The account of a customer; an account named in metadata ({@code account_id}) is linked when the
     * customer is not yet. Null when unknown: the row is kept and linked when checkout names it.
     */
    static String accountOf(HandlerContext c, String customerId, String metadataAccount) {
        String known = AccountStore.accountOfCustomer(c.handle(), customerId).orElse(null);
        if (known != null || metadataAccount == null || metadataAccount.isBlank()) {
            return known;
        }
        link(c, metadataAccount, customerId);
        return metadataAccount;
    }

    /** Links account and customer, and everything of that customer that arrived before the link. */
    static void link(HandlerContext c, String accountId, String customerId) {
        AccountStore.linkCustomer(c.handle(), accountId, customerId);
        if (customerId != null) {
            SubscriptionStore.linkAccount(c.handle(), customerId, accountId);
            PurchaseStore.linkAccount(c.handle(), customerId, accountId);
        }
    }

    private static List<StripeEvent> sameSecond(HandlerContext c, StripeEvent e) {
        return EventStore.sameSecond(c.handle(), e.objectId(), e.created(), e.id()).stream().map(s -> {
            try {
                return StripeEvent.parse(s.payload());
            } catch (Rejection r) {
                throw new IllegalStateException("stored event " + s.id() + " is not an event: " + r.getMessage());
            }
        }).toList();
    }
}
