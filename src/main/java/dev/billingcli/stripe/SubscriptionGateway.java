package dev.billingcli.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.model.Customer;
import com.stripe.model.StripeCollection;
import com.stripe.net.ApiResource;
import com.stripe.net.StripeResponse;
import java.time.Instant;
import com.stripe.model.Subscription;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerSearchParams;
import com.stripe.param.SubscriptionCancelParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.SubscriptionRetrieveParams;
import com.stripe.param.SubscriptionUpdateParams;
import com.stripe.param.checkout.SessionCreateParams;
import com.stripe.param.common.EmptyParam;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Every Stripe call the support commands make ({@code checkout}, {@code portal}, {@code status
 * --stripe}, {@code cancel}, {@code reactivate}, {@code sync}). Subscriptions come back as Stripe's
 * JSON, the form webhook events carry them in, so one mapping serves both.
 */
public final class SubscriptionGateway {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Metadata key linking a Stripe customer (and checkout, subscription) to the app's account. */
    public static final String ACCOUNT_ID = "account_id";

    private final StripeAccess stripe;

    public SubscriptionGateway(StripeAccess stripe) {
        this.stripe = stripe;
    }

    public StripeAccess access() {
        return stripe;
    }

    /**
     * An object as Stripe answered it, and when: {@code asOf} is the answer's {@code Date} header, Stripe's
     * own clock at one-second resolution, the same clock and resolution as an event's {@code created}.
     * State written from an answer is ordered against events by it (no local clock involved).
     */
    public record StripeState(JsonNode object, Instant asOf, String requestId) {}

    /** One page of {@link #eachSubscriptionPage}. */
    public record Page(List<JsonNode> subscriptions, Instant asOf, String requestId) {}

    private static JsonNode body(StripeResponse response) {
        try {
            return JSON.readTree(response.body());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Instant asOf(StripeResponse response) {
        return response.date() != null ? response.date() : Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    static StripeState state(ApiResource resource) {
        StripeResponse r = resource.getLastResponse();
        return new StripeState(body(r), asOf(r), r.requestId());
    }

    // ------------------------------------------------------------------ customers

    public String createCustomer(String accountId, String email) {
        CustomerCreateParams.Builder b = CustomerCreateParams.builder().putMetadata(ACCOUNT_ID, accountId).putMetadata("managed_by", "billing");
        if (email != null) {
            b.setEmail(email);
        }
        CustomerCreateParams params = b.build();
        Customer c = stripe.call("create a customer for account " + accountId,
                () -> stripe.client().v1().customers().create(params, stripe.write()));
        return c.getId();
    }

    /**
     * A customer made for this account earlier (by an interrupted run, or another copy of the
     * database). Search is eventually consistent: a customer created seconds ago may be missed.
     */
    public Optional<String> findCustomer(String accountId) {
        CustomerSearchParams params = CustomerSearchParams.builder()
                .setQuery("metadata['" + ACCOUNT_ID + "']:'" + accountId.replace("'", "\\'") + "'").setLimit(1L).build();
        var result = stripe.call("search customers", () -> stripe.client().v1().customers().search(params));
        return result.getData().stream().map(Customer::getId).findFirst();
    }

    // ------------------------------------------------------------------ sessions

    public record CheckoutSession(String id, String url, String clientSecret, String mode) {}

    public CheckoutSession createCheckoutSession(SessionCreateParams params) {
        var s = stripe.call("create a Checkout Session", () -> stripe.client().v1().checkout().sessions().create(params, stripe.write()));
        return new CheckoutSession(s.getId(), s.getUrl(), s.getClientSecret(), s.getMode());
    }

    public String createPortalSession(com.stripe.param.billingportal.SessionCreateParams params) {
        var s = stripe.call("create a billing portal session",
                () -> stripe.client().v1().billingPortal().sessions().create(params, stripe.write()));
        return s.getUrl();
    }

    // ------------------------------------------------------------------ subscriptions

    public StripeState subscription(String id) {
        SubscriptionRetrieveParams params = SubscriptionRetrieveParams.builder().build();
        return state(stripe.call("read subscription " + id, () -> stripe.client().v1().subscriptions().retrieve(id, params)));
    }

    /** Clears a cancellation scheduled at the period end. */
    public StripeState keepUntilFurtherNotice(String id) {
        return update(id, SubscriptionUpdateParams.builder().setCancelAtPeriodEnd(false).build(), "stop the scheduled cancellation of ");
    }

    /** Clears a cancellation scheduled at an explicit date ({@code cancel_at=""}). */
    public StripeState clearCancelAt(String id) {
        return update(id, SubscriptionUpdateParams.builder().setCancelAt(EmptyParam.EMPTY).build(), "clear the cancellation date of ");
    }

    public StripeState cancelAtPeriodEnd(String id) {
        return update(id, SubscriptionUpdateParams.builder().setCancelAtPeriodEnd(true).build(), "schedule the cancellation of ");
    }

    public StripeState cancelAt(String id, long epochSecond) {
        return update(id, SubscriptionUpdateParams.builder().setCancelAt(epochSecond).build(), "schedule the cancellation of ");
    }

    public StripeState cancelNow(String id, String reason) {
        SubscriptionCancelParams.Builder b = SubscriptionCancelParams.builder();
        if (reason != null) {
            b.setCancellationDetails(SubscriptionCancelParams.CancellationDetails.builder().setComment(reason).build());
        }
        SubscriptionCancelParams params = b.build();
        return state(stripe.call("cancel subscription " + id, () -> stripe.client().v1().subscriptions().cancel(id, params, stripe.write())));
    }

    private StripeState update(String id, SubscriptionUpdateParams params, String what) {
        return state(stripe.call(what + "subscription " + id, () -> stripe.client().v1().subscriptions().update(id, params, stripe.write())));
    }

    /**
     * Every subscription, canceled ones included ({@code status=all}; Stripe hides them otherwise),
     * 100 per page with each customer expanded (its metadata links the account), each page handed over before the next is read, so memory stays flat.
     *
     * @param customer only this customer's, or null for all
     * @return the number of list requests made
     */
    public int eachSubscriptionPage(String customer, Consumer<Page> page) {
        String after = null;
        int requests = 0;
        while (true) {
            SubscriptionListParams.Builder b = SubscriptionListParams.builder().setStatus(SubscriptionListParams.Status.ALL)
                    .setLimit((long) CatalogGateway.PAGE)
                    .addExpand("data.customer"); // the account link (customer metadata) in the same call
            if (customer != null) {
                b.setCustomer(customer);
            }
            if (after != null) {
                b.setStartingAfter(after);
            }
            SubscriptionListParams params = b.build();
            StripeCollection<Subscription> result = stripe.call("list subscriptions",
                    () -> stripe.client().v1().subscriptions().list(params));
            requests++;
            StripeResponse response = result.getLastResponse();
            List<JsonNode> rows = new java.util.ArrayList<>();
            body(response).path("data").forEach(rows::add);
            page.accept(new Page(rows, asOf(response), response.requestId()));
            if (!Boolean.TRUE.equals(result.getHasMore()) || rows.isEmpty()) {
                return requests;
            }
            after = result.getData().get(result.getData().size() - 1).getId();
        }
    }

    /** The account a customer belongs to, from its metadata; one read. */
    public Optional<String> accountOfCustomer(String customerId) {
        Customer c = stripe.call("read customer " + customerId, () -> stripe.client().v1().customers().retrieve(customerId));
        return Optional.ofNullable(c.getMetadata()).map(m -> m.get(ACCOUNT_ID));
    }
}
