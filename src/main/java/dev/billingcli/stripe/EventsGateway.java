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
     * Events of these types created since {@code since}, read in windows of {@code created} with several
     * requests in flight under the process's rate (see {@link CreatedWindows}); each page to {@code page},
     * oldest first within the page, each event as the JSON Stripe returned. Pages come in no particular
     * order: the event processor's ordering rule settles that, as for webhooks arriving out of order.
     */
    public CreatedWindows.Result eachEventPage(Instant since, List<String> types, java.util.function.Consumer<List<String>> page) {
        return new CreatedWindows((w, limit, urgent) -> {
            EventListParams.Created.Builder created = EventListParams.Created.builder().setGte(w.gte());
            if (w.lt() != null) {
                created.setLt(w.lt());
            }
            EventListParams.Builder b = EventListParams.builder().addAllType(types).setLimit((long) limit).setCreated(created.build());
            if (w.startingAfter() != null) {
                b.setStartingAfter(w.startingAfter());
            }
            return stripe.rawList("list events", "/v1/events", b.build(), urgent);
        }, stripe.readers(), 1, QUEUED_PAGES).run(List.of(new CreatedWindows.Window(since.getEpochSecond(), null, null)), batch -> {
            List<String> events = new ArrayList<>();
            parse(batch.body()).path("data").forEach(e -> events.add(e.toString()));
            Collections.reverse(events);
            page.accept(events);
        });
    }

    /** Pages of {@link #eachEventPage} wait in a queue this long for the processor. */
    static final int QUEUED_PAGES = 8;

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw BillingException.serviceFailed("Stripe answered with something that is not JSON", e);
        }
    }
}
