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
import java.util.Map;
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

    /**
     * A Checkout Session to create.
     *
     * @param metadata on the session and on what it creates (the subscription, or the payment intent)
     * @param subscription subscription mode (a recurring price), else payment mode
     * @param embedded the embedded page (needs {@code returnUrl}), else the hosted page ({@code successUrl})
     * @param currency the currency to charge in (one of the price's), or null to let Checkout choose from the customer's location
     * @param automaticTax Stripe Tax computes the tax ({@code automatic_tax[enabled]})
     */
    public record CheckoutRequest(String customer, String clientReferenceId, Map<String, String> metadata, String priceId, int quantity,
            boolean subscription, int trialDays, boolean promotionCodes, boolean embedded, String successUrl, String cancelUrl,
            String returnUrl, String currency, boolean automaticTax) {}

    public CheckoutSession createCheckoutSession(CheckoutRequest r) {
        SessionCreateParams.Builder b = SessionCreateParams.builder()
                .setMode(r.subscription() ? SessionCreateParams.Mode.SUBSCRIPTION : SessionCreateParams.Mode.PAYMENT)
                .setCustomer(r.customer())
                .setClientReferenceId(r.clientReferenceId())
                .putAllMetadata(r.metadata())
                .addLineItem(SessionCreateParams.LineItem.builder().setPrice(r.priceId()).setQuantity((long) r.quantity()).build());
        if (r.promotionCodes()) {
            b.setAllowPromotionCodes(true);
        }
        if (r.currency() != null) {
            b.setCurrency(r.currency());
        }
        if (r.automaticTax()) {
            // Stripe Tax needs the customer's address; an existing customer (we always pass one) keeps the one entered in
            // Checkout only with customer_update[address]=auto (https://docs.stripe.com/tax/checkout)
            b.setAutomaticTax(SessionCreateParams.AutomaticTax.builder().setEnabled(true).build());
            b.setCustomerUpdate(SessionCreateParams.CustomerUpdate.builder()
                    .setAddress(SessionCreateParams.CustomerUpdate.Address.AUTO).build());
        }
        if (r.embedded()) {
            b.setUiMode(SessionCreateParams.UiMode.EMBEDDED_PAGE).setReturnUrl(r.returnUrl());
        } else {
            b.setUiMode(SessionCreateParams.UiMode.HOSTED_PAGE).setSuccessUrl(r.successUrl());
            if (r.cancelUrl() != null) {
                b.setCancelUrl(r.cancelUrl());
            }
        }
        if (r.subscription()) {
            SessionCreateParams.SubscriptionData.Builder sd = SessionCreateParams.SubscriptionData.builder().putAllMetadata(r.metadata());
            if (r.trialDays() > 0) {
                sd.setTrialPeriodDays((long) r.trialDays());
            }
            b.setSubscriptionData(sd.build());
        } else {
            b.setPaymentIntentData(SessionCreateParams.PaymentIntentData.builder().putAllMetadata(r.metadata()).build());
        }
        SessionCreateParams params = b.build();
        var s = stripe.call("create a Checkout Session", () -> stripe.client().v1().checkout().sessions().create(params, stripe.write()));
        return new CheckoutSession(s.getId(), s.getUrl(), s.getClientSecret(), s.getMode());
    }

    /**
     * A billing portal session.
     *
     * @param configuration the portal configuration, or null for the Dashboard's default (which a fresh
     *     account does not have: Stripe refuses the session)
     * @param flow Stripe's deep-link flow type ({@code subscription_cancel}, {@code subscription_update},
     *     {@code payment_method_update}), or null for the portal's home
     * @param subscription the subscription the cancel and update flows act on
     */
    public record PortalSessionRequest(String customer, String returnUrl, String configuration, String flow, String subscription) {}

    public String createPortalSession(PortalSessionRequest r) {
        var b = com.stripe.param.billingportal.SessionCreateParams.builder().setCustomer(r.customer());
        if (r.returnUrl() != null) {
            b.setReturnUrl(r.returnUrl());
        }
        if (r.configuration() != null) {
            b.setConfiguration(r.configuration());
        }
        if (r.flow() != null) {
            var fb = com.stripe.param.billingportal.SessionCreateParams.FlowData.builder();
            switch (r.flow()) {
                case "subscription_cancel" -> fb.setType(com.stripe.param.billingportal.SessionCreateParams.FlowData.Type.SUBSCRIPTION_CANCEL)
                        .setSubscriptionCancel(com.stripe.param.billingportal.SessionCreateParams.FlowData.SubscriptionCancel.builder()
                                .setSubscription(r.subscription()).build());
                case "subscription_update" -> fb.setType(com.stripe.param.billingportal.SessionCreateParams.FlowData.Type.SUBSCRIPTION_UPDATE)
                        .setSubscriptionUpdate(com.stripe.param.billingportal.SessionCreateParams.FlowData.SubscriptionUpdate.builder()
                                .setSubscription(r.subscription()).build());
                case "payment_method_update" -> fb.setType(
                        com.stripe.param.billingportal.SessionCreateParams.FlowData.Type.PAYMENT_METHOD_UPDATE);
                default -> throw new IllegalArgumentException("portal flow " + r.flow());
            }
            b.setFlowData(fb.build());
        }
        var s = stripe.call("create a billing portal session",
                () -> stripe.client().v1().billingPortal().sessions().create(b.build(), stripe.write()));
        return s.getUrl();
    }


    // ------------------------------------------------------------------ subscriptions

    public StripeState subscription(String id) {
        SubscriptionRetrieveParams params = SubscriptionRetrieveParams.builder().build();
        return state(stripe.call("read subscription " + id, () -> stripe.client().v1().subscriptions().retrieve(id, params)));
    }

    /** The form fields {@link #keepUntilFurtherNotice} sends, for a dry run to show exactly what would go out. */
    public static Map<String, String> keepFields() {
        return Map.of("cancel_at_period_end", "false");
    }

    /** The form fields {@link #clearCancelAt} sends. */
    public static Map<String, String> clearCancelAtFields() {
        return Map.of("cancel_at", "");
    }

    /** The form fields {@link #cancelAtPeriodEnd} sends. */
    public static Map<String, String> cancelAtPeriodEndFields() {
        return Map.of("cancel_at_period_end", "true");
    }

    /** The form fields {@link #cancelAt} sends. */
    public static Map<String, String> cancelAtFields(long epochSecond) {
        return Map.of("cancel_at", Long.toString(epochSecond));
    }

    /** The form fields {@link #cancelNow} sends (a {@code DELETE}). */
    public static Map<String, String> cancelNowFields(String reason) {
        return reason == null ? Map.of() : Map.of("cancellation_details[comment]", reason);
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

    /** The form fields {@link #moveTrialEnd} sends, for a dry run to show exactly what would go out. */
    public static java.util.Map<String, String> trialEndFields(long epochSecond) {
        java.util.Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("trial_end", Long.toString(epochSecond));
        f.put("proration_behavior", "none");
        return f;
    }

    /** Moves the trial's end without prorations (no invoice, no charge now). */
    public StripeState moveTrialEnd(String id, long epochSecond) {
        return update(id, SubscriptionUpdateParams.builder().setTrialEnd(epochSecond)
                .setProrationBehavior(SubscriptionUpdateParams.ProrationBehavior.NONE).build(), "move the trial end of ");
    }

    /**
     * The form fields {@link #pauseCollection} sends, for a dry run to show exactly what would go out.
     *
     * @param behavior {@code void}, {@code keep_as_draft} or {@code mark_uncollectible}
     * @param resumesAt epoch second Stripe resumes collection by itself, or null for "until resumed"
     */
    public static Map<String, String> pauseFields(String behavior, Long resumesAt) {
        Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("pause_collection[behavior]", behavior);
        if (resumesAt != null) {
            f.put("pause_collection[resumes_at]", Long.toString(resumesAt));
        }
        return f;
    }

    /** The form fields {@link #resumeCollection} sends: {@code pause_collection=""} unsets the pause. */
    public static Map<String, String> resumeFields() {
        return Map.of("pause_collection", "");
    }

    /** Pauses payment collection; the status stays as it is (Stripe's {@code pause_collection}). */
    public StripeState pauseCollection(String id, String behavior, Long resumesAt) {
        SubscriptionUpdateParams.PauseCollection.Builder p = SubscriptionUpdateParams.PauseCollection.builder()
                .setBehavior(switch (behavior) {
                    case "void" -> SubscriptionUpdateParams.PauseCollection.Behavior.VOID;
                    case "keep_as_draft" -> SubscriptionUpdateParams.PauseCollection.Behavior.KEEP_AS_DRAFT;
                    case "mark_uncollectible" -> SubscriptionUpdateParams.PauseCollection.Behavior.MARK_UNCOLLECTIBLE;
                    default -> throw new IllegalArgumentException("pause behavior " + behavior);
                });
        if (resumesAt != null) {
            p.setResumesAt(resumesAt);
        }
        return update(id, SubscriptionUpdateParams.builder().setPauseCollection(p.build()).build(), "pause payment collection of ");
    }

    /** Resumes payment collection now ({@code pause_collection=""}). */
    public StripeState resumeCollection(String id) {
        return update(id, SubscriptionUpdateParams.builder().setPauseCollection(EmptyParam.EMPTY).build(), "resume payment collection of ");
    }

    // ------------------------------------------------------------------ plan changes

    /**
     * One item's new price and quantity, prorated at {@code prorationDate}: the preview and the update
     * carry the same date, so the update prorates exactly as previewed (Stripe's advice).
     */
    public record PriceChange(String subscriptionId, String itemId, String priceId, int quantity, long prorationDate,
            Map<String, String> metadata) {}

    /** A line of a preview invoice; {@code proration} from {@code parent.subscription_item_details.proration} (Basil and later). */
    public record PreviewLine(String description, long amount, boolean proration) {}

    /**
     * Stripe's preview of the next invoice after a change.
     *
     * @param subtotal before discounts; @param discount the sum of {@code total_discount_amounts}
     */
    public record InvoicePreview(String currency, long total, long amountDue, Instant periodEnd, List<PreviewLine> lines, long subtotal,
            long discount) {}

    /** The subscription's first item (the one our subscriptions have), from Stripe's object. */
    public static String firstItemId(JsonNode subscription) {
        JsonNode id = subscription.path("items").path("data").path(0).path("id");
        return id.isTextual() ? id.asText() : null;
    }

    /** The form fields of {@link #previewPriceChange}, for a dry run to show what is asked. */
    public static Map<String, String> previewFields(PriceChange c) {
        Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("subscription", c.subscriptionId());
        f.put("subscription_details[items][0][id]", c.itemId());
        f.put("subscription_details[items][0][price]", c.priceId());
        f.put("subscription_details[items][0][quantity]", Integer.toString(c.quantity()));
        f.put("subscription_details[proration_behavior]", "create_prorations");
        f.put("subscription_details[proration_date]", Long.toString(c.prorationDate()));
        return f;
    }

    /** The form fields of {@link #changePrice}, for a dry run to show exactly what would go out. */
    public static Map<String, String> priceChangeFields(PriceChange c) {
        Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("items[0][id]", c.itemId());
        f.put("items[0][price]", c.priceId());
        f.put("items[0][quantity]", Integer.toString(c.quantity()));
        f.put("proration_behavior", "create_prorations");
        f.put("proration_date", Long.toString(c.prorationDate()));
        c.metadata().forEach((k, v) -> f.put("metadata[" + k + "]", v));
        return f;
    }

    // ------------------------------------------------------------------ discounts

    /**
     * What a subscription's discount is made from: a coupon's id or a promotion code's id (never the
     * customer-facing code). At the pinned API version a subscription takes {@code discounts[]}; the single
     * {@code coupon} and {@code promotion_code} parameters were removed in 2025-03-31.basil
     * (https://docs.stripe.com/changelog/basil/2025-03-31/deprecate-singular-coupon-promotion-code).
     */
    public record DiscountRef(String couponId, String promotionCodeId) {
        public static DiscountRef coupon(String id) {
            return new DiscountRef(id, null);
        }

        public static DiscountRef promotionCode(String id) {
            return new DiscountRef(null, id);
        }
    }

    /**
     * The form fields {@link #setDiscount} sends: {@code discounts[0][coupon]} or {@code discounts[0][promotion_code]},
     * which replace every discount the subscription has; {@code discounts=""} (null) removes them all.
     */
    public static Map<String, String> discountFields(DiscountRef d) {
        Map<String, String> f = new java.util.LinkedHashMap<>();
        if (d == null) {
            f.put("discounts", "");
        } else if (d.couponId() != null) {
            f.put("discounts[0][coupon]", d.couponId());
        } else {
            f.put("discounts[0][promotion_code]", d.promotionCodeId());
        }
        return f;
    }

    /** The discount ids a subscription object holds ({@code discounts}, ids unless expanded). */
    public static List<String> discountIds(JsonNode subscription) {
        List<String> ids = new java.util.ArrayList<>();
        subscription.path("discounts").forEach(d -> ids.add(d.isTextual() ? d.asText() : d.path("id").asText()));
        return ids;
    }

    /** Replaces the subscription's discounts with this one; null removes them all ({@code discounts=""}). */
    public StripeState setDiscount(String id, DiscountRef d) {
        SubscriptionUpdateParams.Builder b = SubscriptionUpdateParams.builder();
        if (d == null) {
            b.setDiscounts(EmptyParam.EMPTY);
        } else {
            SubscriptionUpdateParams.Discount.Builder db = SubscriptionUpdateParams.Discount.builder();
            if (d.couponId() != null) {
                db.setCoupon(d.couponId());
            } else {
                db.setPromotionCode(d.promotionCodeId());
            }
            b.addDiscount(db.build());
        }
        return update(id, b.build(), d == null ? "remove the discounts of " : "apply a discount to ");
    }

    /**
     * Stripe's preview of the subscription's next invoice with this discount instead of its own (null: with
     * none, {@code discounts=""}); {@code POST /v1/invoices/create_preview} with {@code subscription} and the
     * top-level {@code discounts}, which the preview takes instead of inheriting the subscription's.
     */
    public InvoicePreview previewDiscount(String subscriptionId, DiscountRef d) {
        com.stripe.param.InvoiceCreatePreviewParams.Builder b = com.stripe.param.InvoiceCreatePreviewParams.builder()
                .setSubscription(subscriptionId);
        if (d == null) {
            b.setDiscounts(EmptyParam.EMPTY);
        } else {
            com.stripe.param.InvoiceCreatePreviewParams.Discount.Builder db = com.stripe.param.InvoiceCreatePreviewParams.Discount.builder();
            if (d.couponId() != null) {
                db.setCoupon(d.couponId());
            } else {
                db.setPromotionCode(d.promotionCodeId());
            }
            b.addDiscount(db.build());
        }
        com.stripe.param.InvoiceCreatePreviewParams params = b.build();
        return preview(state(stripe.call("preview the next invoice of subscription " + subscriptionId,
                () -> stripe.client().v1().invoices().createPreview(params))).object());
    }

    private static InvoicePreview preview(JsonNode invoice) {
        List<PreviewLine> lines = new java.util.ArrayList<>();
        invoice.path("lines").path("data").forEach(l -> lines.add(new PreviewLine(l.path("description").asText(null), l.path("amount").asLong(),
                l.path("parent").path("subscription_item_details").path("proration").asBoolean(false))));
        long discount = 0;
        for (JsonNode a : invoice.path("total_discount_amounts")) {
            discount += a.path("amount").asLong();
        }
        return new InvoicePreview(invoice.path("currency").asText(null), invoice.path("total").asLong(), invoice.path("amount_due").asLong(),
                invoice.path("period_end").isNumber() ? Instant.ofEpochSecond(invoice.path("period_end").asLong()) : null, lines,
                invoice.path("subtotal").asLong(), discount);
    }

    /** Stripe's own preview of the change ({@code POST /v1/invoices/create_preview}); sends no change. */
    public InvoicePreview previewPriceChange(PriceChange c) {
        com.stripe.param.InvoiceCreatePreviewParams params = com.stripe.param.InvoiceCreatePreviewParams.builder()
                .setSubscription(c.subscriptionId())
                .setSubscriptionDetails(com.stripe.param.InvoiceCreatePreviewParams.SubscriptionDetails.builder()
                        .addItem(com.stripe.param.InvoiceCreatePreviewParams.SubscriptionDetails.Item.builder().setId(c.itemId())
                                .setPrice(c.priceId()).setQuantity((long) c.quantity()).build())
                        .setProrationBehavior(com.stripe.param.InvoiceCreatePreviewParams.SubscriptionDetails.ProrationBehavior.CREATE_PRORATIONS)
                        .setProrationDate(c.prorationDate())
                        .build())
                .build();
        return preview(state(stripe.call("preview the change of subscription " + c.subscriptionId(),
                () -> stripe.client().v1().invoices().createPreview(params))).object());
    }

    /**
     * Stripe's preview of the first invoice at the new price of a change at the renewal
     * ({@code POST /v1/invoices/create_preview} with {@code customer} and {@code schedule_details}: "the schedule creation
     * or modification params to apply as a preview", which Stripe refuses beside {@code subscription} or
     * {@code subscription_details}; https://docs.stripe.com/api/invoices/create_preview?api-version=2025-08-27.basil).
     * The schedule previewed is the second phase alone, starting at the period end: its first invoice is the renewal at
     * the new price. Sends no change.
     */
    public InvoicePreview previewRenewal(String customer, RenewalChange c, long changeAt) {
        com.stripe.param.InvoiceCreatePreviewParams params = com.stripe.param.InvoiceCreatePreviewParams.builder()
                .setCustomer(customer)
                .setScheduleDetails(com.stripe.param.InvoiceCreatePreviewParams.ScheduleDetails.builder()
                        .setEndBehavior(com.stripe.param.InvoiceCreatePreviewParams.ScheduleDetails.EndBehavior.RELEASE)
                        .addPhase(com.stripe.param.InvoiceCreatePreviewParams.ScheduleDetails.Phase.builder()
                                .addItem(com.stripe.param.InvoiceCreatePreviewParams.ScheduleDetails.Phase.Item.builder().setPrice(c.priceId())
                                        .setQuantity((long) c.quantity()).build())
                                .setStartDate(changeAt).build())
                        .build())
                .build();
        return preview(state(stripe.call("preview the renewal of subscription " + c.subscriptionId() + " at the new price",
                () -> stripe.client().v1().invoices().createPreview(params))).object());
    }

    /** Moves the subscription's item to another price now, with prorations dated as previewed. */
    public StripeState changePrice(PriceChange c) {
        SubscriptionUpdateParams params = SubscriptionUpdateParams.builder()
                .addItem(SubscriptionUpdateParams.Item.builder().setId(c.itemId()).setPrice(c.priceId()).setQuantity((long) c.quantity()).build())
                .setProrationBehavior(SubscriptionUpdateParams.ProrationBehavior.CREATE_PRORATIONS)
                .setProrationDate(c.prorationDate())
                .putAllMetadata(c.metadata())
                .build();
        return update(c.subscriptionId(), params, "change the price of ");
    }

    /**
     * One subscription item moved to another price by {@code prices migrate}: the same quantity (Stripe resets an item's
     * quantity to 1 when its price changes and none is given), and either no proration ({@code prorate} false: the next
     * invoice is at the new price) or Stripe's default {@code create_prorations} (the rest of the period at the new price
     * on the next invoice).
     *
     * @param idempotencyKey the caller's: one per subscription and run, so a request sent again is answered, not acted on, twice
     */
    public record PriceMove(String subscriptionId, String itemId, String priceId, int quantity, boolean prorate, String idempotencyKey) {}

    /** The form fields {@link #movePrice} sends, for a dry run to show exactly what would go out. */
    public static Map<String, String> priceMoveFields(PriceMove m) {
        Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("items[0][id]", m.itemId());
        f.put("items[0][price]", m.priceId());
        f.put("items[0][quantity]", Integer.toString(m.quantity()));
        f.put("proration_behavior", m.prorate() ? "create_prorations" : "none");
        return f;
    }

    public StripeState movePrice(PriceMove m) {
        SubscriptionUpdateParams params = SubscriptionUpdateParams.builder()
                .addItem(SubscriptionUpdateParams.Item.builder().setId(m.itemId()).setPrice(m.priceId()).setQuantity((long) m.quantity()).build())
                .setProrationBehavior(m.prorate() ? SubscriptionUpdateParams.ProrationBehavior.CREATE_PRORATIONS
                        : SubscriptionUpdateParams.ProrationBehavior.NONE)
                .build();
        return state(stripe.call("move subscription " + m.subscriptionId() + " to " + m.priceId(),
                () -> stripe.client().v1().subscriptions().update(m.subscriptionId(), params, stripe.write(m.idempotencyKey()))));
    }

    /**
     * The second request of a change at the renewal: the schedule's phases. Phase 0 is the current period
     * as Stripe made it from the subscription (its dates as Stripe gave them; past phases cannot move), phase
     * 1 the new price from the period end; at its end the schedule releases the subscription, which keeps
     * the new price.
     */
    public record RenewalChange(String subscriptionId, String currentPriceId, int currentQuantity, String priceId, int quantity,
            Map<String, String> metadata) {}

    /** What {@link #scheduleAtRenewal} set up: the schedule and when its second phase starts. */
    public record ScheduledRenewal(String scheduleId, Instant changeAt) {}

    /** The form fields of the phases update, for a dry run ({@code start} and {@code end}: phase 0, the current period). */
    public static Map<String, String> phaseFields(RenewalChange c, long start, long end) {
        Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("end_behavior", "release");
        f.put("phases[0][items][0][price]", c.currentPriceId());
        f.put("phases[0][items][0][quantity]", Integer.toString(c.currentQuantity()));
        f.put("phases[0][start_date]", Long.toString(start));
        f.put("phases[0][end_date]", Long.toString(end));
        f.put("phases[1][items][0][price]", c.priceId());
        f.put("phases[1][items][0][quantity]", Integer.toString(c.quantity()));
        c.metadata().forEach((k, v) -> f.put("phases[1][metadata][" + k + "]", v));
        return f;
    }

    /**
     * A change at the renewal, the way Stripe documents downgrades: a schedule from the subscription
     * ({@code from_subscription}: one phase, the current period), then its phases set to the current price
     * until the period end and the new one after. Two writes, each with its own idempotency key.
     */
    public ScheduledRenewal scheduleAtRenewal(RenewalChange c) {
        com.stripe.param.SubscriptionScheduleCreateParams create = com.stripe.param.SubscriptionScheduleCreateParams.builder()
                .setFromSubscription(c.subscriptionId()).build();
        JsonNode schedule = state(stripe.call("create a schedule for subscription " + c.subscriptionId(),
                () -> stripe.client().v1().subscriptionSchedules().create(create, stripe.write()))).object();
        String id = schedule.path("id").asText();
        JsonNode phase = schedule.path("phases").path(0);
        long start = phase.path("start_date").asLong();
        long end = phase.path("end_date").asLong();
        com.stripe.param.SubscriptionScheduleUpdateParams update = com.stripe.param.SubscriptionScheduleUpdateParams.builder()
                .setEndBehavior(com.stripe.param.SubscriptionScheduleUpdateParams.EndBehavior.RELEASE)
                .addPhase(com.stripe.param.SubscriptionScheduleUpdateParams.Phase.builder()
                        .addItem(com.stripe.param.SubscriptionScheduleUpdateParams.Phase.Item.builder().setPrice(c.currentPriceId())
                                .setQuantity((long) c.currentQuantity()).build())
                        .setStartDate(start).setEndDate(end).build())
                .addPhase(com.stripe.param.SubscriptionScheduleUpdateParams.Phase.builder()
                        .addItem(com.stripe.param.SubscriptionScheduleUpdateParams.Phase.Item.builder().setPrice(c.priceId())
                                .setQuantity((long) c.quantity()).build())
                        .putAllMetadata(c.metadata()).build())
                .build();
        stripe.call("set the phases of schedule " + id, () -> stripe.client().v1().subscriptionSchedules().update(id, update, stripe.write()));
        return new ScheduledRenewal(id, Instant.ofEpochSecond(end));
    }

    /** Releases a schedule: the subscription stays as it is now, the scheduled phases are dropped. */
    public void releaseSchedule(String scheduleId) {
        com.stripe.param.SubscriptionScheduleReleaseParams params = com.stripe.param.SubscriptionScheduleReleaseParams.builder().build();
        stripe.call("release schedule " + scheduleId,
                () -> stripe.client().v1().subscriptionSchedules().release(scheduleId, params, stripe.write()));
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
        return eachPage(() -> {
            SubscriptionListParams.Builder b = SubscriptionListParams.builder().setStatus(SubscriptionListParams.Status.ALL)
                    .setLimit((long) CatalogGateway.PAGE)
                    .addExpand("data.customer"); // the account link (customer metadata) in the same call
            if (customer != null) {
                b.setCustomer(customer);
            }
            return b;
        }, "list subscriptions", page);
    }

    /**
     * Every subscription with an item on this price, whatever its status ({@code price=} and {@code status=all}:
     * without {@code status} Stripe leaves out canceled ones, and the caller decides which count), 100 a page.
     *
     * @return the number of list requests made
     */
    public int eachSubscriptionPageOnPrice(String priceId, Consumer<Page> page) {
        return eachPage(() -> SubscriptionListParams.builder().setPrice(priceId).setStatus(SubscriptionListParams.Status.ALL)
                .setLimit((long) CatalogGateway.PAGE), "list the subscriptions on " + priceId, page);
    }

    private int eachPage(java.util.function.Supplier<SubscriptionListParams.Builder> builder, String what, Consumer<Page> page) {
        String after = null;
        int requests = 0;
        while (true) {
            SubscriptionListParams.Builder b = builder.get();
            if (after != null) {
                b.setStartingAfter(after);
            }
            SubscriptionListParams params = b.build();
            StripeCollection<Subscription> result = stripe.call(what, () -> stripe.client().v1().subscriptions().list(params));
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

    /** Pages of {@link #eachSubscriptionWindowed} wait in a queue this long for their writer. */
    static final int QUEUED_PAGES = 8;
    /**
     * Transactions writing pages at once: a page of 100 new subscriptions is some 400 statements through the
     * ledger; one writer did about 1,000 rows/s here, and 25 pages/s is 2,500 rows/s (3 and 4 writers both
     * reached about 1,900 on this 2-core machine, PostgreSQL sharing it with the sync and the stand-in).
     * Needs as many database connections ({@link #WRITERS} + 1 for sync --all).
     */
    public static final int WRITERS = 3;

    /**
     * Every subscription ({@code status=all}, customers expanded), from these windows of {@code created}
     * on (the whole list: {@code List.of(Window.all())}), several requests in flight under the process's
     * rate; each page to {@code writer} as Stripe's JSON, from {@value #WRITERS} threads. See {@link CreatedWindows}.
     */
    public CreatedWindows.Result eachSubscriptionWindowed(List<CreatedWindows.Window> start, CreatedWindows.Writer writer) {
        return new CreatedWindows((w, limit, urgent) -> {
            SubscriptionListParams.Builder b = SubscriptionListParams.builder().setStatus(SubscriptionListParams.Status.ALL)
                    .setLimit((long) limit).addExpand("data.customer");
            SubscriptionListParams.Created.Builder created = SubscriptionListParams.Created.builder().setGte(w.gte());
            if (w.lt() != null) {
                created.setLt(w.lt());
            }
            b.setCreated(created.build());
            if (w.startingAfter() != null) {
                b.setStartingAfter(w.startingAfter());
            }
            return stripe.rawList("list subscriptions", "/v1/subscriptions", b.build(), urgent);
        }, stripe.readers(), WRITERS, QUEUED_PAGES).run(start, writer);
    }

    /** The account a customer belongs to, from its metadata; one read. */
    public Optional<String> accountOfCustomer(String customerId) {
        Customer c = stripe.call("read customer " + customerId, () -> stripe.client().v1().customers().retrieve(customerId));
        return Optional.ofNullable(c.getMetadata()).map(m -> m.get(ACCOUNT_ID));
    }
}
