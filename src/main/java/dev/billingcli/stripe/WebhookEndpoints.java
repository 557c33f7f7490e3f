package dev.billingcli.stripe;

import com.stripe.Stripe;
import com.stripe.model.WebhookEndpoint;
import com.stripe.param.WebhookEndpointCreateParams;
import com.stripe.param.WebhookEndpointUpdateParams;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * Registers the endpoint Stripe delivers events to: exactly the event types {@code webhook-serve}
 * handles, at the API version this tool speaks (the one stripe-java pins). Stripe shows an endpoint's
 * signing secret only when it is created, and an endpoint's API version cannot be changed in place.
 */
public final class WebhookEndpoints {
    public record Outcome(String endpointId, String status, String secret, String message) {}

    /** A webhook endpoint as this tool needs it. */
    public record Endpoint(String id, String url) {}

    private final StripeAccess stripe;

    public WebhookEndpoints(StripeAccess stripe) {
        this.stripe = stripe;
    }

    private Optional<WebhookEndpoint> find(String url) {
        return list().stream().filter(e -> url.equals(e.getUrl())).findFirst();
    }

    /** The first endpoint that receives every handled type at our API version, if any. */
    public Optional<Endpoint> findSuitable(List<String> eventTypes) {
        return list().stream()
                .filter(e -> "enabled".equals(e.getStatus()) && Stripe.API_VERSION.equals(e.getApiVersion()))
                .filter(e -> e.getEnabledEvents() != null
                        && (e.getEnabledEvents().contains("*") || new HashSet<>(e.getEnabledEvents()).containsAll(eventTypes)))
                .findFirst().map(e -> new Endpoint(e.getId(), e.getUrl()));
    }

    private List<WebhookEndpoint> list() {
        var params = com.stripe.param.WebhookEndpointListParams.builder().setLimit((long) CatalogGateway.PAGE).build();
        return stripe.call("list webhook endpoints", () -> stripe.client().v1().webhookEndpoints().list(params)).getData();
    }

    public Outcome register(String url, List<String> eventTypes, boolean recreate) {
        Optional<WebhookEndpoint> existing = find(url);
        if (existing.isEmpty()) {
            WebhookEndpoint created = create(url, eventTypes);
            return new Outcome(created.getId(), "created", created.getSecret(), "created endpoint " + created.getId() + " for " + url);
        }
        WebhookEndpoint e = existing.get();
        if (!Stripe.API_VERSION.equals(e.getApiVersion())) {
            if (!recreate) {
                return new Outcome(e.getId(), "version_mismatch", null, "endpoint " + e.getId() + " uses API version "
                        + e.getApiVersion() + ", this tool speaks " + Stripe.API_VERSION
                        + "; an endpoint's version cannot be changed in place: run again with --recreate");
            }
            String old = e.getId();
            stripe.call("delete webhook endpoint " + old, () -> stripe.client().v1().webhookEndpoints().delete(old, stripe.write()));
            WebhookEndpoint created = create(url, eventTypes);
            return new Outcome(created.getId(), "recreated", created.getSecret(), "deleted endpoint " + e.getId() + " (API version "
                    + e.getApiVersion() + ") and created " + created.getId() + " at " + Stripe.API_VERSION);
        }
        boolean eventsMatch = e.getEnabledEvents() != null && new HashSet<>(e.getEnabledEvents()).equals(new HashSet<>(eventTypes));
        boolean enabled = "enabled".equals(e.getStatus());
        if (eventsMatch && enabled) {
            return new Outcome(e.getId(), "unchanged", null, "endpoint " + e.getId() + " for " + url + " is up to date");
        }
        WebhookEndpointUpdateParams.Builder b = WebhookEndpointUpdateParams.builder().setDisabled(false);
        eventTypes.forEach(t -> b.addEnabledEvent(byValue(WebhookEndpointUpdateParams.EnabledEvent.values(), t)));
        String id = e.getId();
        stripe.call("update webhook endpoint " + id, () -> stripe.client().v1().webhookEndpoints().update(id, b.build(), stripe.write()));
        return new Outcome(e.getId(), "updated", null, "updated endpoint " + e.getId() + " (events" + (enabled ? "" : ", enabled") + ")");
    }

    private WebhookEndpoint create(String url, List<String> eventTypes) {
        WebhookEndpointCreateParams.Builder b = WebhookEndpointCreateParams.builder().setUrl(url)
                .setApiVersion(byValue(WebhookEndpointCreateParams.ApiVersion.values(), Stripe.API_VERSION))
                .setDescription("billing webhook-serve").putMetadata("managed_by", "billing");
        eventTypes.forEach(t -> b.addEnabledEvent(byValue(WebhookEndpointCreateParams.EnabledEvent.values(), t)));
        return stripe.call("create the webhook endpoint", () -> stripe.client().v1().webhookEndpoints().create(b.build(), stripe.write()));
    }

    /** stripe-java's enum constant whose wire value is {@code value}. */
    static <E extends Enum<E> & com.stripe.net.ApiRequestParams.EnumParam> E byValue(E[] values, String value) {
        for (E e : values) {
            if (e.getValue().equals(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException("stripe-java has no constant for " + value);
    }
}
