package dev.billingcli.webhook.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.subscription.Subscription;

/** What the invoice handlers read from an invoice. */
record Invoices(String id, String customerId, String subscriptionId, String billingReason) {
    static Invoices of(JsonNode invoice) {
        // Basil and later: parent.subscription_details.subscription; `subscription` in older renderings
        String sub = Subscription.idOf(invoice.path("parent").path("subscription_details").path("subscription"));
        if (sub == null) {
            sub = Subscription.idOf(invoice.path("subscription"));
        }
        return new Invoices(invoice.path("id").asText(), Subscription.idOf(invoice.path("customer")), sub,
                invoice.path("billing_reason").asText(""));
    }

    /** The first invoice of a subscription, or a renewal: the plan's credits are (re)set. */
    boolean startsPeriod() {
        return billingReason.equals("subscription_cycle") || billingReason.equals("subscription_create");
    }
}
