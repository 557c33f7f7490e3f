package dev.billingcli.webhook.handlers;

import dev.billingcli.subscription.SubscriptionStatus;
import dev.billingcli.webhook.Handler;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;
import java.util.List;

/** {@code invoice.payment_failed}: the subscription is past_due (access continues through the grace period). */
public final class InvoicePaymentFailedHandler implements Handler {
    @Override
    public Outcome handle(HandlerContext c) {
        Invoices inv = Invoices.of(c.event().object());
        c.account(c.ledger().accountOf(c.tx(), inv.customerId(), inv.metadataAccount()));
        if (inv.subscriptionId() != null) {
            c.ledger().invoiceStatus(c.tx(), inv.subscriptionId(), List.of(SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING), SubscriptionStatus.PAST_DUE,
                    c.event().created(), c.event().id());
        }
        return Outcome.APPLIED;
    }
}
