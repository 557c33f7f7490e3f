package dev.billingcli.webhook.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.ledger.SubscriptionLedger;

/** What the customer handlers read from a customer. */
record Customers(String id, String email, String metadataAccount) {
    static Customers of(JsonNode customer) {
        String account = customer.path("metadata").path(SubscriptionLedger.ACCOUNT_ID).asText(null);
        String email = customer.path("email").asText(null);
        return new Customers(customer.path("id").asText(), email == null || email.isBlank() ? null : email,
                account == null || account.isBlank() ? null : account);
    }
}
