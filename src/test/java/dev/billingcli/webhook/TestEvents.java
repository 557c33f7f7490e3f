package dev.billingcli.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.CatalogLoader;
import dev.billingcli.store.Database;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/** Stripe objects and events in the shapes of the pinned API version, built for tests. */
public final class TestEvents {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final long T0 = 1_790_000_000L;

    private TestEvents() {}

    public static Catalog catalog() {
        return CatalogLoader.load(Path.of("plans.yaml").toAbsolutePath(), "plans.yaml");
    }

    public static Database database(String url) {
        Database db = Database.open(url, null, 6, m -> {});
        db.migrate();
        return db;
    }

    /** A subscription with one item on the price with this lookup key; period T0 … T0 + 30 days. */
    public static ObjectNode subscription(String id, String customer, String lookupKey, String status) {
        ObjectNode s = JSON.createObjectNode().put("id", id).put("object", "subscription").put("customer", customer)
                .put("status", status).put("cancel_at_period_end", false).put("created", T0).put("livemode", false)
                .put("billing_cycle_anchor", T0).put("collection_method", "charge_automatically").put("currency", "eur").put("start_date", T0);
        s.putObject("automatic_tax").put("enabled", false);
        s.putNull("cancel_at");
        s.putNull("canceled_at");
        s.putNull("ended_at");
        s.putNull("trial_start");
        s.putNull("trial_end");
        s.putObject("metadata");
        ObjectNode items = s.putObject("items").put("object", "list").put("has_more", false).put("url", "/v1/subscription_items?subscription=" + id);
        items.putArray("data");
        price(s, lookupKey, 1);
        period(s, T0, T0 + 30 * 86400);
        return s;
    }

    /** Replaces the item: price {@code price_<lookupKey>}, quantity. */
    public static ObjectNode price(ObjectNode s, String lookupKey, int quantity) {
        var data = (com.fasterxml.jackson.databind.node.ArrayNode) s.get("items").get("data");
        JsonNode old = data.size() > 0 ? data.get(0) : null;
        data.removeAll();
        ObjectNode item = data.addObject().put("id", "si_" + s.get("id").asText().substring(4) + "_" + lookupKey)
                .put("object", "subscription_item").put("quantity", quantity).put("subscription", s.get("id").asText()).put("created", T0);
        item.putObject("metadata");
        ObjectNode price = item.putObject("price").put("id", "price_" + lookupKey).put("object", "price")
                .put("lookup_key", lookupKey).put("currency", "eur").put("type", "recurring").put("active", true)
                .put("billing_scheme", "per_unit").put("created", T0).put("livemode", false)
                .put("product", "billing_" + lookupKey.substring(0, Math.max(0, lookupKey.lastIndexOf('_'))));
        price.putObject("recurring").put("interval", lookupKey.endsWith("yearly") ? "year" : "month").put("interval_count", 1)
                .put("usage_type", "licensed");
        price.putObject("metadata");
        item.put("current_period_start", old == null ? T0 : old.get("current_period_start").asLong());
        item.put("current_period_end", old == null ? T0 + 30 * 86400 : old.get("current_period_end").asLong());
        return s;
    }

    public static ObjectNode period(ObjectNode s, long start, long end) {
        for (JsonNode item : s.get("items").get("data")) {
            ((ObjectNode) item).put("current_period_start", start).put("current_period_end", end);
        }
        return s;
    }

    /** The top-level fields of {@code before} that differ in {@code after}, with their old values (as Stripe sends). */
    public static ObjectNode previous(JsonNode before, JsonNode after) {
        ObjectNode prev = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext();) {
            var f = it.next();
            JsonNode old = before.get(f.getKey());
            if (old == null || !old.equals(f.getValue())) {
                prev.set(f.getKey(), old == null ? JSON.nullNode() : old.deepCopy());
            }
        }
        return prev;
    }

    public static String event(String id, String type, long created, JsonNode object, JsonNode previous) {
        ObjectNode e = JSON.createObjectNode().put("id", id).put("object", "event").put("api_version", com.stripe.Stripe.API_VERSION)
                .put("created", created).put("livemode", false).put("pending_webhooks", 1).put("type", type);
        ObjectNode data = e.putObject("data");
        data.set("object", object.deepCopy());
        if (previous != null) {
            data.set("previous_attributes", previous);
        }
        e.putObject("request").putNull("id").putNull("idempotency_key");
        return e.toString();
    }

    public static String event(String id, String type, long created, JsonNode object) {
        return event(id, type, created, object, null);
    }

    public static StripeEvent parse(String raw) {
        try {
            return StripeEvent.parse(raw);
        } catch (Rejection r) {
            throw new AssertionError(r.getMessage());
        }
    }

    public static ObjectNode checkoutSession(String id, String account, String customer, String mode, String paymentStatus) {
        ObjectNode s = JSON.createObjectNode().put("id", id).put("object", "checkout.session").put("client_reference_id", account)
                .put("customer", customer).put("mode", mode).put("payment_status", paymentStatus).put("status", "complete")
                .put("currency", "eur").put("livemode", false);
        s.putObject("metadata");
        s.putArray("payment_method_types").add("card");
        s.putNull("subscription");
        s.putNull("amount_total");
        return s;
    }

    public static ObjectNode invoice(String id, String customer, String subscription, String billingReason) {
        ObjectNode i = JSON.createObjectNode().put("id", id).put("object", "invoice").put("customer", customer)
                .put("billing_reason", billingReason).put("status", "paid").put("currency", "eur").put("livemode", false);
        ObjectNode parent = i.putObject("parent").put("type", "subscription_details");
        parent.putObject("subscription_details").put("subscription", subscription).putObject("metadata");
        return i;
    }
}
