package dev.billingcli.webhook.handlers;

import dev.billingcli.subscription.SubscriptionStatus;
import dev.billingcli.webhook.Handler;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;

/** {@code checkout.session.async_payment_failed}: the pending payment did not arrive; no credits, no access. */
public final class CheckoutSessionAsyncPaymentFailedHandler implements Handler {
    @Override
    public Outcome handle(HandlerContext c) {
        CheckoutSessions s = CheckoutSessions.of(c.event().object());
        String account = s.link(c);
        if (s.mode().equals("payment")) {
            s.recordPurchase(c, account, "failed");
        } else if (s.subscriptionId() != null) {
            if (!c.ledger().settlePending(c.tx(), s.subscriptionId(), SubscriptionStatus.INCOMPLETE)) {
                s.recordSubscription(c, account, SubscriptionStatus.INCOMPLETE);
            }
        }
        c.note("payment failed");
        return Outcome.APPLIED;
    }
}
