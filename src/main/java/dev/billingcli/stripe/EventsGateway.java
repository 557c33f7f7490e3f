package dev.billingcli.stripe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Event;
import com.stripe.model.StripeCollection;
import com.stripe.param.EventListParams;
import com.stripe.param.SubscriptionRetrieveParams;
import dev.billingcli.BillingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The Stripe reads of the webhook pipeline, answering in Stripe's own JSON (exactly what a webhook
 * delivers, so one code path handles both): a subscription's current state, to settle a tie between
 * events of one second, and the events of the last days, to repair downtime ({@code events fetch}).
 */
public final class EventsGateway {
    /** Stripe keeps events this long for {@code /v1/events}. */
    public static final int RETENTION_DAYS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StripeAccess stripe;

    public EventsGateway(StripeAccess stripe) {
        this.stripe = stripe;
    }

    /** The subscription as Stripe has it now; empty when Stripe does not know it. */
    public Optional<JsonNode> subscription(String id) {
        var s = stripe.call("retrieve subscription " + id, () -> {
            try {
                return stripe.client().v1().subscriptions().retrieve(id, SubscriptionRetrieveParams.builder().build());
            } catch (InvalidRequestException e) {
                if (e.getStatusCode() != null && e.getStatusCode() == 404) {
                    return null;
                }
                throw e;
            }
        });
        return s == null ? Optional.empty() : Optional.of(parse(s.getLastResponse().body()));
    }

    /**
     * Events of these types created since {@code since}, oldest first, each as the JSON Stripe returned.
     * Stripe lists newest first, {@value CatalogGateway#PAGE} per page.
     */
    public List<String> eventsSince(Instant since, List<String> types) {
        List<String> found = new ArrayList<>();
        String after = null;
        do {
            EventListParams.Builder b = EventListParams.builder().addAllType(types).setLimit((long) CatalogGateway.PAGE)
                    .setCreated(EventListParams.Created.builder().setGte(since.getEpochSecond()).build());
            if (after != null) {
                b.setStartingAfter(after);
            }
            EventListParams params = b.build();
            StripeCollection<Event> page = stripe.call("list events", () -> stripe.client().v1().events().list(params));
            JsonNode data = parse(page.getLastResponse().body()).path("data");
            data.forEach(e -> found.add(e.toString()));
            after = Boolean.TRUE.equals(page.getHasMore()) && data.size() > 0 ? data.get(data.size() - 1).path("id").asText() : null;
        } while (after != null);
        Collections.reverse(found);
        return found;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw BillingException.serviceFailed("Stripe answered with something that is not JSON", e);
        }
    }
}
