package dev.billingcli.webhook.handlers;

import dev.billingcli.subscription.SubscriptionStatus;
import dev.billingcli.store.PurchaseStore.Purchase;
import dev.billingcli.webhook.Handler;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;

/**
 * {@code checkout.session.completed}: links the account ({@code client_reference_id}, else
 * {@code metadata.account_id}) to the customer. Subscription mode records the subscription (pending while
 * an asynchronous payment is on its way); payment mode records the purchase and, once paid, grants the
 * one-time plan's credits.
 */
public final class CheckoutSessionCompletedHandler implements Handler {
    @Override
    public Outcome handle(HandlerContext c) {
        CheckoutSessions s = CheckoutSessions.of(c.event().object());
        String account = s.link(c);
        switch (s.mode()) {
            case "subscription" -> {
                if (s.paid()) {
                    // the state comes with customer.subscription.created; an empty row until then
                    s.recordSubscription(c, account, SubscriptionStatus.INCOMPLETE);
                } else if (s.subscriptionId() != null) {
                    c.ledger().fromCheckout(c.tx(), s.subscriptionId(), s.customerId(), account, s.planId(), s.pendingStatus());
                    c.note(s.pendingStatus().wire() + " until checkout.session.async_payment_succeeded");
                }
            }
            case "payment" -> {
                Purchase p = s.recordPurchase(c, account, s.paid() ? "paid" : s.pendingStatus().wire());
                s.grantCredits(c, p);
            }
            default -> c.note("mode " + s.mode() + ": account linked, nothing else to record");
        }
        return Outcome.APPLIED;
    }
}
