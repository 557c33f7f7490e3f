package dev.billingcli.webhook.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.subscription.Subscription;

/**
 * What the invoice handlers read from an invoice. At the pinned API (Basil and later) an invoice names
 * its subscription under {@code parent.subscription_details}, with a snapshot of the subscription's
 * metadata: checkout puts the account and the plan there, so an invoice that arrives before its
 * subscription's events still says whose it is and for which plan.
 *
 * @param metadataAccount {@code account_id} in the subscription's metadata snapshot, or null
 * @param metadataPlan {@code billing_plan} in the subscription's metadata snapshot, or null
 */
record Invoices(String id, String customerId, String subscriptionId, String billingReason, String metadataAccount, String metadataPlan) {
    static Invoices of(JsonNode invoice) {
        JsonNode details = invoice.path("parent").path("subscription_details");
        String sub = Subscription.idOf(details.path("subscription"));
        if (sub == null) {
            sub = Subscription.idOf(invoice.path("subscription")); // renderings older than Basil
        }
        JsonNode metadata = details.path("metadata").isObject() ? details.path("metadata") : invoice.path("subscription_details").path("metadata");
        return new Invoices(invoice.path("id").asText(), Subscription.idOf(invoice.path("customer")), sub,
                invoice.path("billing_reason").asText(""), text(metadata, SubscriptionLedger.ACCOUNT_ID), text(metadata, "billing_plan"));
    }

    private static String text(JsonNode node, String field) {
        String v = node.path(field).asText(null);
        return v == null || v.isBlank() ? null : v;
    }

    /** The first invoice of a subscription (a trial's €0 one included), or a renewal: the plan's credits are (re)set. */
    boolean startsPeriod() {
        return billingReason.equals("subscription_cycle") || billingReason.equals("subscription_create");
    }
}
