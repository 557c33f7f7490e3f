package dev.billingcli.webhook.handlers;

import dev.billingcli.subscription.SubscriptionStatus;
import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.catalog.Plan;
import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.webhook.Handler;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;
import java.util.List;
import java.util.Optional;

/**
 * {@code invoice.paid}: a subscription that was past_due (or unpaid) is active again; the first invoice
 * (a trial's €0 invoice included: credits come with the start of the subscription) and each renewal
 * ({@code billing_reason=subscription_cycle}) reset the credits to the plan's amount. Stripe sends
 * {@code invoice.paid} and {@code invoice.payment_succeeded} for one payment, so the ledger movement is
 * keyed by the invoice, not the event: credits move once per invoice.
 *
 * <p>Stripe does not order events: the invoice may come before checkout and the subscription's own
 * events. The account and plan are then taken from the invoice's snapshot of the subscription's
 * metadata, or from the subscription fetched from Stripe when a key is configured. When neither says,
 * the event fails (answer 500): Stripe delivers it again later, when the subscription is known, and
 * {@code events replay --failed} does the same at once. An applied event has done its work.
 */
public class InvoicePaidHandler implements Handler {
    @Override
    public Outcome handle(HandlerContext c) {
        Invoices inv = Invoices.of(c.event().object());
        SubscriptionLedger ledger = c.ledger();
        String account = ledger.accountOf(c.tx(), inv.customerId(), inv.metadataAccount());
        c.account(account);
        if (inv.subscriptionId() == null) {
            c.note("not a subscription invoice");
            return Outcome.APPLIED;
        }
        ledger.invoiceStatus(c.tx(), inv.subscriptionId(), List.of(SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID), SubscriptionStatus.ACTIVE, c.event().created(), c.event().id());
        if (!inv.startsPeriod()) {
            return Outcome.APPLIED;
        }
        String planId = c.tx().subscriptions().find(inv.subscriptionId()).map(s -> s.subscription().planId()).orElse(inv.metadataPlan());
        if (planId == null || account == null) {
            Optional<Subscription> fetched = ledger.fetch(inv.subscriptionId()).map(ledger::read);
            if (fetched.isPresent()) {
                planId = planId != null ? planId : fetched.get().planId();
                account = account != null ? account
                        : ledger.accountOf(c.tx(), inv.customerId(), fetched.get().metadata().get(SubscriptionLedger.ACCOUNT_ID));
                c.account(account);
            }
        }
        if (account == null || planId == null) {
            throw new IllegalStateException("credits not reset for " + inv.id() + ": " + (account == null ? "no account" : "no plan")
                    + " known for " + inv.subscriptionId() + " yet (Stripe delivers this event again; or run 'billing events replay --failed')");
        }
        Optional<Plan> plan = c.catalog().plan(planId);
        if (plan.isEmpty()) {
            c.note("plan " + planId + " is not in plans.yaml: no credits");
            return Outcome.APPLIED;
        }
        boolean moved = ledger.startPeriod(c.tx(), account, plan.get(), inv.id(), inv.billingReason());
        c.note(moved ? "credits reset to " + plan.get().credits() : "credits already reset for " + inv.id());
        return Outcome.APPLIED;
    }
}
