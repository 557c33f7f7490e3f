package dev.billingcli.webhook.handlers;

import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.ledger.SubscriptionLedger.Kind;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;

/** A {@code customer.subscription.*} event carries the subscription's full state: the ledger applies it, in order. */
final class SubscriptionStates {
    private SubscriptionStates() {}

    static Outcome apply(HandlerContext c) {
        SubscriptionLedger.Result r = c.ledger().apply(c.tx(), SubscriptionLedger.Report.of(c.event().change()));
        c.account(r.accountId());
        c.note(r.note());
        return r.kind() == Kind.STALE ? Outcome.STALE : Outcome.APPLIED;
    }
}
