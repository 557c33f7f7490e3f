package dev.billingcli.trigger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.billingcli.BillingException;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.Cycle;
import dev.billingcli.catalog.Plan;
import dev.billingcli.catalog.PlanPrice;
import dev.billingcli.webhook.EventProcessor;
import dev.billingcli.webhook.Handlers;
import dev.billingcli.webhook.Rejection;
import dev.billingcli.webhook.SignatureVerifier;
import dev.billingcli.webhook.StripeEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Offline events for {@code webhook trigger}, like {@code stripe trigger} but aimed at our catalog: realistic
 * payloads of the pinned API version from data files named by type ({@code events/<type>.json}, objects in
 * {@code events/objects/}), with ids derived from the account so that a sequence of triggers moves one
 * subscription through its life.
 */
public final class Trigger {
    private static final String TEMPLATES = "/dev/billingcli/trigger/events/";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_.]+)}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * @param planId null for the catalog's first recurring plan
     * @param status null for the type's usual status
     * @param paymentStatus {@code paid} or {@code unpaid} (a bank transfer on its way)
     */
    public record Request(String type, String accountId, String planId, Cycle cycle, boolean cancelAtPeriodEnd, String status,
            int quantity, String paymentStatus, String billingReason, Instant now) {}

    /** One event to deliver. */
    public record Built(String eventId, String type, String json) {}

    /** How the receiver answered. @param outcome the processing outcome when known */
    public record Answer(int status, String body) {}

    private Trigger() {}

    /** The event types with a payload file: exactly the handled ones. */
    public static List<String> types() {
        return Handlers.TYPES.stream().filter(t -> Trigger.class.getResource(TEMPLATES + t + ".json") != null).toList();
    }

    /**
     * The events a trigger sends: one, or for a paid subscription checkout what Stripe sends around it:
     * the subscription's creation, the session, and the first invoice paid ({@code subscription_create};
     * €0 during a trial), which starts the credits.
     */
    public static List<Built> build(Request r, Catalog catalog) {
        if (!types().contains(r.type())) {
            throw BillingException.invalid("no payload for event type " + r.type() + "; one of: " + String.join(", ", types()));
        }
        Plan plan = r.planId() == null
                ? catalog.plans().values().stream().filter(Plan::recurring).findFirst()
                        .orElseThrow(() -> BillingException.invalid("the catalog has no plan with a recurring price; give --plan"))
                : catalog.plan(r.planId()).orElseThrow(() -> BillingException.invalid("unknown plan " + r.planId()
                        + " (plans: " + String.join(", ", catalog.plans().keySet()) + ")"));
        boolean payment = r.type().startsWith("checkout.") && !plan.recurring();
        PlanPrice price = payment ? plan.price(Cycle.ONCE) : plan.price(r.cycle());
        if (price == null) {
            throw BillingException.invalid("plan " + plan.id() + " has no " + (payment ? "one-time" : r.cycle().key())
                    + " price in the catalog" + (plan.prices().isEmpty() ? " (it is not sold through Stripe)" : ""));
        }
        Map<String, Object> v = variables(r, plan, price, payment);
        List<Built> out = new ArrayList<>();
        boolean unpaid = "unpaid".equals(r.paymentStatus());
        boolean subscriptionCheckout = r.type().equals("checkout.session.completed") && !payment && !unpaid;
        if (subscriptionCheckout || r.type().startsWith("subscription_schedule.")) {
            out.add(event("customer.subscription.created", v, r)); // a schedule is of a subscription: it comes first
        }
        out.add(event(r.type(), v, r));
        if (subscriptionCheckout) {
            Map<String, Object> first = new LinkedHashMap<>(v);
            first.put("billing_reason", "subscription_create");
            if ("trialing".equals(v.get("status"))) {
                first.put("amount_total", 0L);
                first.put("amount_paid", 0L);
            }
            out.add(event("invoice.paid", first, r));
        }
        return out;
    }

    private static Built event(String type, Map<String, Object> shared, Request r) {
        Map<String, Object> v = new LinkedHashMap<>(shared);
        String id = "evt_trig" + HEX.formatHex(bytes(12));
        v.put("event_id", id);
        if (type.equals("customer.subscription.created")) {
            v.put("status", r.status() != null ? r.status() : shared.get("status").equals("trialing") ? "trialing" : "active");
            v.put("cancel_at_period_end", false);
            v.put("cancel_at", null);
            v.put("canceled_at", null);
        }
        v.put("subscription", new Raw(render("objects/subscription.json", v)));
        v.put("checkout.session", new Raw(render("objects/checkout.session.json", v)));
        v.put("invoice", new Raw(render("objects/invoice.json", v)));
        v.put("customer", new Raw(render("objects/customer.json", v)));
        v.put("refund", new Raw(render("objects/refund.json", v)));
        if (type.startsWith("subscription_schedule.")) {
            String state = type.substring("subscription_schedule.".length());
            boolean running = state.equals("created") || state.equals("updated") || state.equals("expiring");
            boolean aborted = state.equals("aborted"); // the subscription canceled for non-payment, its schedule with it
            String status = running ? "active" : aborted ? "canceled" : state;
            long now = (Long) shared.get("created");
            v.put("schedule_status", status);
            v.put("schedule_subscription", running || aborted ? shared.get("subscription_id") : null);
            v.put("schedule_released_subscription", state.equals("released") ? shared.get("subscription_id") : null);
            v.put("schedule_released_at", state.equals("released") ? now : null);
            v.put("schedule_canceled_at", state.equals("canceled") || aborted ? now : null);
            v.put("schedule_completed_at", state.equals("completed") ? now : null);
            v.put("schedule_current_phase", new Raw(running ? "{\"start_date\": " + shared.get("period_start") + ", \"end_date\": "
                    + shared.get("period_end") + "}" : "null"));
            v.put("subscription_schedule", new Raw(render("objects/subscription_schedule.json", v)));
        }
        if (type.equals("customer.subscription.updated")) {
            v.put("previous_attributes", new Raw(previous(r, shared).toString()));
        }
        String json = render(type + ".json", v);
        try {
            return new Built(id, type, JSON.readTree(json).toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("payload file for " + type + " is not JSON once filled: " + e.getOriginalMessage());
        }
    }

    /** What an update changed: the top-level fields whose value differs from the usual active state. */
    private static JsonNode previous(Request r, Map<String, Object> after) {
        Map<String, Object> before = new LinkedHashMap<>(after);
        before.put("status", "active");
        before.put("cancel_at_period_end", false);
        before.put("cancel_at", null);
        before.put("canceled_at", null);
        before.put("quantity", 1);
        try {
            JsonNode b = JSON.readTree(render("objects/subscription.json", before));
            JsonNode a = JSON.readTree(render("objects/subscription.json", after));
            ObjectNode prev = JSON.createObjectNode();
            a.fields().forEachRemaining(f -> {
                JsonNode old = b.get(f.getKey());
                if (old != null && !old.equals(f.getValue())) {
                    prev.set(f.getKey(), old);
                }
            });
            return prev;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> variables(Request r, Plan plan, PlanPrice price, boolean payment) {
        String base = "trig" + HEX.formatHex(sha256(r.accountId())).substring(0, 14);
        long now = r.now().getEpochSecond();
        long length = price.cycle() == Cycle.YEARLY ? 365 * 86400L : 30 * 86400L;
        boolean deleted = r.type().equals("customer.subscription.deleted");
        // one period for every trigger of the day (a deletion ends the subscription within it, at once),
        // so a sequence of triggers continues one state instead of moving the period back and forth
        long periodStart = now - Math.floorMod(now, 86400L) - 86400; // yesterday, 00:00 UTC: the same for every trigger of a day
        long periodEnd = periodStart + length;
        boolean unpaid = "unpaid".equals(r.paymentStatus());
        boolean trialCheckout = r.type().equals("checkout.session.completed") && plan.trialDays() > 0 && !payment;
        String status = r.status() != null ? r.status() : deleted ? "canceled" : trialCheckout ? "trialing" : "active";
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("api_version", dev.billingcli.stripe.StripeVersions.API);
        v.put("created", now);
        v.put("account", r.accountId());
        v.put("email", "billing@" + r.accountId().replaceAll("[^A-Za-z0-9.-]", "-") + ".test");
        v.put("customer_id", "cus_" + base);
        v.put("subscription_id", "sub_" + base);
        v.put("item_id", "si_" + base);
        v.put("items_url", "/v1/subscription_items?subscription=sub_" + base);
        v.put("session_id", "cs_test_" + base);
        v.put("invoice_id", "in_" + base + "_" + periodStart / 86400);
        v.put("invoice_lines_url", "/v1/invoices/in_" + base + "_" + periodStart / 86400 + "/lines");
        v.put("product_id", "billing_" + plan.id());
        v.put("price_id", "price_" + price.lookupKey());
        v.put("lookup_key", price.lookupKey());
        v.put("plan", plan.id());
        v.put("cycle", price.cycle().key());
        v.put("interval", price.cycle().stripeInterval());
        v.put("unit_amount", price.unitAmount());
        v.put("unit_amount_decimal", Long.toString(price.unitAmount()));
        v.put("currency", price.currency());
        v.put("quantity", r.quantity());
        v.put("status", status);
        v.put("subscription_created", now - 86400);
        v.put("period_start", periodStart);
        v.put("period_end", periodEnd);
        v.put("previous_period_start", periodStart - length);
        v.put("cancel_at_period_end", r.cancelAtPeriodEnd() && !deleted);
        v.put("cancel_at", r.cancelAtPeriodEnd() ? periodEnd : null);
        v.put("canceled_at", r.cancelAtPeriodEnd() || deleted ? now : null);
        v.put("cancellation_reason", r.cancelAtPeriodEnd() || deleted ? "cancellation_requested" : null);
        v.put("ended_at", deleted ? now : null);
        v.put("trial_start", status.equals("trialing") ? now : null);
        v.put("trial_end", status.equals("trialing") ? now + plan.trialDays() * 86400L : null);
        v.put("mode", payment ? "payment" : "subscription");
        v.put("payment_status", unpaid ? "unpaid" : "paid");
        v.put("payment_method_types", new Raw(unpaid ? "[\"customer_balance\"]" : "[\"card\"]"));
        v.put("payment_intent", payment ? "pi_" + base : null);
        v.put("session_subscription", payment ? null : "sub_" + base);
        v.put("session_invoice", payment ? null : "in_" + base + "_" + periodStart / 86400);
        v.put("expires_at", now + 86400);
        v.put("amount_total", price.unitAmount() * r.quantity());
        boolean failed = r.type().equals("invoice.payment_failed");
        v.put("amount_paid", failed ? 0 : price.unitAmount() * r.quantity());
        v.put("amount_remaining", failed ? price.unitAmount() * r.quantity() : 0);
        v.put("invoice_status", failed ? "open" : "paid");
        v.put("billing_reason", r.billingReason());
        v.put("schedule_id", "sub_sched_" + base);
        v.put("next_period_end", periodEnd + length);
        v.put("next_quantity", r.quantity() + 1);
        v.put("refund_id", "re_" + base + "_" + periodStart / 86400);
        v.put("refund_payment_intent", "pi_" + base + "_" + periodStart / 86400);
        v.put("refund_charge", "ch_" + base + "_" + periodStart / 86400);
        v.put("refund_status", r.type().equals("refund.created") ? "pending" : "succeeded");
        return v;
    }

    /** Sends an event to a running {@code webhook-serve}, signed as Stripe would. */
    /**
     * One HTTP client for every post of the process, so that its kept-alive connections are reused: a client per
     * post left each connection open until the server's idle timeout, and a day of triggers filled webhook-serve's
     * connection bound (it closes connections over the bound at accept).
     */
    private static final class Client {
        static final HttpClient HTTP = HttpClient.newHttpClient();
    }

    public static Answer post(String url, String secret, Built event) {
        byte[] body = event.json().getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Stripe-Signature", SignatureVerifier.sign(secret, Instant.now().getEpochSecond(), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            HttpResponse<String> response = Client.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw BillingException.serviceFailed("cannot reach " + url + ": " + networkCause(e)
                    + " (is webhook-serve running? or use --local)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BillingException.serviceFailed("interrupted while sending to " + url, e);
        }
    }

    /** The first cause with words in it; java.net.http's ConnectException has none ("connection refused"). */
    static String networkCause(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                String m = t.getMessage().lines().findFirst().orElse("").trim();
                // "Connection reset" reads "connection reset" in the sentence; "HTTP/1.1 header…" stays as it is
                boolean word = m.length() < 2 || !Character.isUpperCase(m.charAt(1));
                return word ? Character.toLowerCase(m.charAt(0)) + m.substring(1) : m;
            }
            if (t instanceof java.net.ConnectException) {
                return "connection refused";
            }
        }
        return e.getClass().getSimpleName();
    }

    /** Sends an event through the same verification and processing as the server, in this process. */
    public static EventProcessor.Result local(EventProcessor processor, String secret, Built event) {
        byte[] body = event.json().getBytes(StandardCharsets.UTF_8);
        try {
            new SignatureVerifier(List.of(secret), SignatureVerifier.DEFAULT_TOLERANCE, java.time.Clock.systemUTC())
                    .verify(SignatureVerifier.sign(secret, Instant.now().getEpochSecond(), body), body);
            return processor.process(StripeEvent.parse(body));
        } catch (Rejection e) {
            throw new IllegalStateException("a built event was rejected: " + e.getMessage());
        }
    }

    // ---- templates

    private record Raw(String json) {}

    private static String render(String file, Map<String, Object> v) {
        String template = read(file);
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            if (!v.containsKey(m.group(1))) {
                throw new IllegalStateException(file + ": no value for ${" + m.group(1) + "}");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(json(v.get(m.group(1)))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String json(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Raw raw) {
            return raw.json();
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        return new TextNode(value.toString()).toString();
    }

    private static String read(String file) {
        try (InputStream in = Optional.ofNullable(Trigger.class.getResourceAsStream(TEMPLATES + file))
                .orElseThrow(() -> new IllegalStateException("missing payload file " + file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
