package dev.billingcli.webhook.handlers;

import dev.billingcli.catalog.Plan;
import dev.billingcli.store.CreditLedger;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.webhook.Handler;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;
import java.util.List;
import java.util.Optional;

/**
 * {@code invoice.paid}: a subscription that was past_due (or unpaid) is active again; the first invoice
 * and each renewal ({@code billing_reason=subscription_cycle}) reset the credits to the plan's amount.
 * Stripe sends {@code invoice.paid} and {@code invoice.payment_succeeded} for one payment, so the ledger
 * movement is keyed by the invoice, not the event: credits move once per invoice.
 */
public class InvoicePaidHandler implements Handler {
    @Override
    public Outcome handle(HandlerContext c) {
        Invoices inv = Invoices.of(c.event().object());
        String account = SubscriptionStates.accountOf(c, inv.customerId(), null);
        c.account(account);
        if (inv.subscriptionId() == null) {
            c.note("not a subscription invoice");
            return Outcome.APPLIED;
        }
        SubscriptionStore.changeStatus(c.handle(), inv.subscriptionId(), List.of("past_due", "unpaid"), "active",
                c.event().created(), c.event().id());
        if (inv.startsPeriod()) {
            Optional<Plan> plan = SubscriptionStore.find(c.handle(), inv.subscriptionId())
                    .map(s -> s.subscription().planId()).flatMap(c.catalog()::plan);
            if (account == null || plan.isEmpty()) {
                c.note("credits not reset: " + (account == null ? "no account linked yet" : "subscription or plan not known yet"));
            } else {
                boolean moved = CreditLedger.resetTo(c.handle(), account, plan.get().credits(),
                        inv.billingReason() + " " + plan.get().id(), "invoice:" + inv.id());
                c.note(moved ? "credits reset to " + plan.get().credits() : "credits already reset for " + inv.id());
            }
        }
        return Outcome.APPLIED;
    }
}
