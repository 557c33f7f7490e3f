package dev.billingcli.webhook.handlers;

import dev.billingcli.subscription.SubscriptionStatus;
import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.catalog.Plan;
import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.store.PurchaseStore;
import dev.billingcli.store.PurchaseStore.Purchase;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.webhook.HandlerContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the checkout handlers read from a Checkout Session, and what they share. */
record CheckoutSessions(String id, String accountId, String customerId, String mode, String paymentStatus,
        String subscriptionId, String planId, Long amountTotal, String currency, List<String> paymentMethodTypes, String email) {

    static CheckoutSessions of(JsonNode s) {
        String account = s.path("client_reference_id").asText(null);
        if (account == null || account.isBlank()) {
            account = s.path("metadata").path("account_id").asText(null);
        }
        String plan = s.path("metadata").path("billing_plan").asText(null);
        if (plan == null) {
            plan = s.path("metadata").path("plan").asText(null);
        }
        List<String> types = new ArrayList<>();
        s.path("payment_method_types").forEach(t -> types.add(t.asText()));
        return new CheckoutSessions(s.path("id").asText(), account, Subscription.idOf(s.path("customer")), s.path("mode").asText(""),
                s.path("payment_status").asText(""), Subscription.idOf(s.path("subscription")), plan,
                s.path("amount_total").isNumber() ? s.path("amount_total").asLong() : null, s.path("currency").asText(null), types,
                s.path("customer_details").path("email").asText(null));
    }

    /** {@code no_payment_required} (a 100% coupon, a trial without card) counts as paid. */
    boolean paid() {
        return !paymentStatus.equals("unpaid");
    }

    /** The status while the money is on its way: a bank transfer (customer balance) or another delayed method. */
    SubscriptionStatus pendingStatus() {
        return paymentMethodTypes.contains("customer_balance") ? SubscriptionStatus.PENDING_BANK_TRANSFER : SubscriptionStatus.PENDING_PAYMENT;
    }

    /** Links account and customer (when the session names the account) and returns the account, if known. */
    String link(HandlerContext c) {
        if (accountId != null && !accountId.isBlank()) {
            c.ledger().link(c.tx(), accountId, customerId, email);
            c.account(accountId);
            return accountId;
        }
        String known = c.ledger().accountOf(c.tx(), customerId, null);
        if (known != null && email != null) {
            c.ledger().link(c.tx(), known, customerId, email);
        }
        c.account(known);
        return known;
    }

    Purchase recordPurchase(HandlerContext c, String account, String status) {
        return c.tx().purchases().upsert(new Purchase(id, account, customerId, planId, amountTotal, currency, status));
    }

    /** Grants a paid one-time plan's credits, once per session whatever the events that report it. */
    void grantCredits(HandlerContext c, Purchase p) {
        if (!p.paid()) {
            return;
        }
        Optional<Plan> plan = p.planId() == null ? Optional.empty() : c.catalog().plan(p.planId());
        if (p.accountId() == null) {
            c.note("paid, but no account (client_reference_id): credits not granted");
        } else if (plan.isEmpty()) {
            c.note("paid, but the session names no known plan (metadata billing_plan): credits not granted");
        } else if (plan.get().credits() > 0) {
            boolean granted = c.ledger().grantPurchase(c.tx(), p.accountId(), plan.get(), id);
            c.note(granted ? "granted " + plan.get().credits() + " credits" : "credits already granted for " + id);
        }
    }

    /** The subscription's state from Stripe when a key is configured; else a row from the session alone. */
    void recordSubscription(HandlerContext c, String account, SubscriptionStatus statusWithoutState) {
        if (subscriptionId == null) {
            return;
        }
        if (c.tx().subscriptions().find(subscriptionId).isPresent()) {
            return;
        }
        Optional<JsonNode> state = c.ledger().fetch(subscriptionId);
        if (state.isPresent()) {
            // Stripe's current state, ordered like an answer at the event's time (events after it still win)
            c.ledger().apply(c.tx(), new SubscriptionLedger.Report(state.get(), c.event().id(), c.event().created(), null));
        } else {
            c.ledger().fromCheckout(c.tx(), subscriptionId, customerId, account, planId, statusWithoutState);
        }
    }
}
