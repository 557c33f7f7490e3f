package dev.billingcli.webhook;

import dev.billingcli.stripe.StripeAccess;
import dev.billingcli.stripe.WebhookEndpoints;

/**
 * {@code stripe:webhook}: the endpoint Stripe delivers to, receiving exactly the event types the handler
 * map handles ({@link Handlers#TYPES}), so that the two cannot disagree.
 */
public final class WebhookRegistration {
    /**
     * @param status created, recreated, updated, unchanged or version_mismatch
     * @param secret the signing secret, which Stripe shows only when the endpoint is created; else null
     */
    public record Outcome(String endpointId, String status, String secret, String message) {
        /** The endpoint speaks another API version and was left alone (no {@code --recreate}). */
        public boolean versionMismatch() {
            return status.equals("version_mismatch");
        }
    }

    private final StripeAccess stripe;

    public WebhookRegistration(StripeAccess stripe) {
        this.stripe = stripe;
    }

    /** Creates or updates the endpoint for {@code url}; refuses a live key without {@code --live} before any call. */
    public Outcome register(String url, boolean recreate) {
        stripe.checkWritesAllowed();
        WebhookEndpoints.Outcome o = new WebhookEndpoints(stripe).register(url, Handlers.TYPES, recreate);
        return new Outcome(o.endpointId(), o.status(), o.secret(), o.message());
    }
}
