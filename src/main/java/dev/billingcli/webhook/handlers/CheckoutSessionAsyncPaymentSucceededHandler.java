package dev.billingcli.webhook.handlers;

import dev.billingcli.subscription.SubscriptionStatus;
import dev.billingcli.store.PurchaseStore.Purchase;
import dev.billingcli.webhook.Handler;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;

/** {@code checkout.session.async_payment_succeeded}: a pending bank transfer or debit arrived; the purchase is paid. */
public final class CheckoutSessionAsyncPaymentSucceededHandler implements Handler {
    @Override
    public Outcome handle(HandlerContext c) {
        CheckoutSessions s = CheckoutSessions.of(c.event().object());
        String account = s.link(c);
        if (s.mode().equals("payment")) {
            Purchase p = s.recordPurchase(c, account, "paid");
            s.grantCredits(c, p);
        } else if (s.subscriptionId() != null) {
            if (!c.ledger().settlePending(c.tx(), s.subscriptionId(), SubscriptionStatus.ACTIVE)) {
                s.recordSubscription(c, account, SubscriptionStatus.ACTIVE);
            }
        }
        return Outcome.APPLIED;
    }
}
