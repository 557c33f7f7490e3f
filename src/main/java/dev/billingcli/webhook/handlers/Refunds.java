package dev.billingcli.webhook.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.store.RefundStore;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.webhook.HandlerContext;
import java.time.Instant;

/**
 * What the refund handlers read from a refund, and the one thing they do: record it for its account. The account
 * is the refund's {@code metadata.account_id} ({@code refund} sends it), else its customer's (a refund names its
 * customer since 2026-07-29.dahlia:
 * https://docs.stripe.com/changelog/dahlia/2026-07-29/adds-customer-and-payment-method-details-to-the-refunds-api),
 * else the account an earlier refund of the same payment was recorded for.
 */
record Refunds(String id, String paymentIntent, String charge, String customer, long amount, String currency, String status, Instant created,
        String metadataAccount, String metadataInvoice) {
    static Refunds of(JsonNode refund) {
        return new Refunds(refund.path("id").asText(), Subscription.idOf(refund.path("payment_intent")), Subscription.idOf(refund.path("charge")),
                Subscription.idOf(refund.path("customer")), refund.path("amount").asLong(), refund.path("currency").asText(),
                refund.path("status").asText("pending"), Instant.ofEpochSecond(refund.path("created").asLong()),
                text(refund.path("metadata"), SubscriptionLedger.ACCOUNT_ID), text(refund.path("metadata"), "invoice"));
    }

    private static String text(JsonNode node, String field) {
        String v = node.path(field).asText(null);
        return v == null || v.isBlank() ? null : v;
    }

    /** The payment refunded: its payment intent, or its charge when it has none (as {@code refund} records it). */
    String payment() {
        return paymentIntent != null ? paymentIntent : charge;
    }

    static dev.billingcli.webhook.Outcome record(HandlerContext c) {
        Refunds r = of(c.event().object());
        var tx = c.tx();
        String account = r.metadataAccount() != null && tx.accounts().exists(r.metadataAccount()) ? r.metadataAccount() : null;
        if (account == null && r.customer() != null) {
            account = c.ledger().accountOf(tx, r.customer(), r.metadataAccount());
        }
        if (account == null && r.payment() != null) {
            account = tx.refunds().accountOfPayment(r.payment()).orElse(null);
        }
        if (account == null || r.payment() == null) {
            c.note("refund " + r.id() + " names no account of ours (no metadata account_id, no linked customer): not recorded");
            return dev.billingcli.webhook.Outcome.APPLIED;
        }
        c.account(account);
        boolean changed = tx.refunds().record(new RefundStore.Refund(r.id(), account, r.metadataInvoice(), r.payment(), r.amount(), r.currency(),
                r.status(), r.created()), c.event().id());
        c.note(changed ? "refund " + r.id() + " " + r.status() : "refund " + r.id() + " already recorded (" + r.status() + " changes nothing)");
        return dev.billingcli.webhook.Outcome.APPLIED;
    }
}
