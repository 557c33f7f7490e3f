package dev.billingcli.fakestripe;

import static dev.billingcli.fakestripe.FakeStripe.filter;
import static dev.billingcli.fakestripe.FakeStripe.invalid;
import static dev.billingcli.fakestripe.FakeStripe.missing;
import static dev.billingcli.fakestripe.FakeStripe.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fake's endpoints, answering with the response shapes of the API version stripe-java pins
 * (see ../shared/stripe-openapi/fixtures3.head.json). Only what this project calls.
 */
final class Resources {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Form values that are JSON booleans in Stripe's objects. */
    private static final Set<String> BOOLEAN_FIELDS = Set.of("active", "enabled", "disabled", "cancel_at_period_end", "is_default");

    private Resources() {}

    static void register(FakeStripe s) {
        products(s);
        prices(s);
        subscriptions(s);
        portal(s);
        webhookEndpoints(s);
        SupportResources.register(s);
        events(s);
        DiscountResources.register(s);
        MoneyResources.register(s);
    }

    // ------------------------------------------------------------------ products

    private static void products(FakeStripe s) {
        s.route("POST", "/v1/products", (m, p) -> {
            String id = p.containsKey("id") ? (String) p.get("id") : s.newId("prod");
            if (s.products.containsKey(id)) {
                throw new FakeStripe.ApiError(400, "invalid_request_error", "resource_already_exists", "Product already exists.");
            }
            ObjectNode product = s.object().put("id", id).put("object", "product").put("active", !"false".equals(p.get("active")))
                    .put("created", s.now()).put("livemode", false).put("name", (String) p.get("name"));
            product.put("description", (String) p.get("description"));
            product.put("updated", s.now());
            product.putArray("images");
            product.set("marketing_features", features(p.get("marketing_features")));
            product.set("metadata", metadata(null, p.get("metadata")));
            product.putNull("default_price");
            s.products.put(id, product);
            return ok(product);
        });
        s.route("GET", "/v1/products/search", (m, p) -> ok(searchResult(s, "/v1/products/search",
                filter(s.products, query((String) p.get("query"))))));
        s.route("GET", "/v1/products/([^/]+)", (m, p) -> ok(get(s.products, "product", m.group(1))));
        s.route("POST", "/v1/products/([^/]+)", (m, p) -> {
            ObjectNode product = get(s.products, "product", m.group(1));
            copyText(p, product, "name");
            if (p.containsKey("description")) {
                product.put("description", "".equals(p.get("description")) ? null : (String) p.get("description"));
            }
            if (p.containsKey("active")) {
                product.put("active", "true".equals(p.get("active")));
            }
            if (p.containsKey("marketing_features")) {
                product.set("marketing_features", features(p.get("marketing_features")));
            }
            product.set("metadata", metadata((ObjectNode) product.get("metadata"), p.get("metadata")));
            product.put("updated", s.now());
            return ok(product);
        });
        s.route("GET", "/v1/products", (m, p) -> {
            List<?> ids = p.get("ids") instanceof List<?> l ? l : null;
            List<ObjectNode> found = filter(s.products, o -> (ids == null || ids.contains(o.get("id").asText()))
                    && (!p.containsKey("active") || o.get("active").asBoolean() == "true".equals(p.get("active"))));
            return ok(s.list("/v1/products", found, p));
        });
    }

    /** A search answer: one page holding everything found. */
    /**
     * What every invoice the stand-in answers has, whatever its state: a customer's charge_automatically invoice of one
     * period, no tax, no credit notes. {@code paidAt} null: not finalized (a draft, such as a preview).
     */
    static ObjectNode invoice(FakeStripe s, String customer, String status, long created, long periodStart, long periodEnd, Long paidAt) {
        ObjectNode invoice = s.object().put("object", "invoice").put("livemode", false).put("created", created)
                .put("customer", customer).put("collection_method", "charge_automatically").put("status", status)
                .put("amount_shipping", 0).put("starting_balance", 0)
                .put("post_payment_credit_notes_amount", 0).put("pre_payment_credit_notes_amount", 0)
                .put("period_start", periodStart).put("period_end", periodEnd);
        invoice.putObject("automatic_tax").put("enabled", false).putNull("status");
        invoice.putArray("default_tax_rates");
        ObjectNode settings = invoice.putObject("payment_settings");
        settings.putNull("default_mandate");
        settings.putNull("payment_method_options");
        settings.putNull("payment_method_types");
        ObjectNode transitions = invoice.putObject("status_transitions");
        transitions.put("finalized_at", paidAt);
        transitions.putNull("marked_uncollectible_at");
        transitions.put("paid_at", paidAt);
        transitions.putNull("voided_at");
        return invoice;
    }

    static ObjectNode searchResult(FakeStripe s, String url, List<ObjectNode> found) {
        ObjectNode result = s.object().put("object", "search_result").put("url", url).put("has_more", false);
        result.putNull("next_page");
        ArrayNode data = result.putArray("data");
        found.forEach(data::add);
        return result;
    }

    /** Stripe's search syntax, as far as we use it: {@code metadata['k']:'v'} and {@code active:'true'} clauses joined by AND. */
    private static java.util.function.Predicate<ObjectNode> query(String query) {
        Matcher m = Pattern.compile("metadata\\['([^']+)'\\]:'([^']*)'").matcher(query == null ? "" : query);
        java.util.function.Predicate<ObjectNode> all = o -> true;
        Matcher active = Pattern.compile("(?<!\\])\\bactive:'(true|false)'").matcher(query == null ? "" : query);
        if (active.find()) {
            boolean wanted = active.group(1).equals("true");
            all = all.and(o -> o.path("active").asBoolean() == wanted);
        }
        while (m.find()) {
            String k = m.group(1);
            String v = m.group(2);
            all = all.and(o -> v.equals(o.path("metadata").path(k).asText(null)));
        }
        return all;
    }

    // ------------------------------------------------------------------ prices

    private static void prices(FakeStripe s) {
        s.route("POST", "/v1/prices", (m, p) -> {
            String productId = (String) p.get("product");
            if (productId == null || !s.products.containsKey(productId)) {
                throw missing("product", String.valueOf(productId));
            }
            String lookupKey = (String) p.get("lookup_key");
            takeLookupKey(s, lookupKey, "true".equals(p.get("transfer_lookup_key")), null);
            ObjectNode price = s.object().put("id", s.newId("price")).put("object", "price")
                    .put("active", !"false".equals(p.get("active"))).put("billing_scheme", "per_unit").put("created", s.now())
                    .put("currency", (String) p.get("currency")).put("livemode", false).put("product", productId);
            price.put("lookup_key", lookupKey);
            price.putNull("nickname");
            price.set("metadata", metadata(null, p.get("metadata")));
            if (p.get("recurring") instanceof Map<?, ?> r) {
                price.putObject("recurring").put("interval", (String) r.get("interval")).put("interval_count", 1)
                        .put("usage_type", "licensed").putNull("meter");
                price.put("type", "recurring");
            } else {
                price.putNull("recurring");
                price.put("type", "one_time");
            }
            String currency = (String) p.get("currency");
            String taxBehavior = (String) p.getOrDefault("tax_behavior", "unspecified");
            price.put("tax_behavior", taxBehavior);
            price.put("unit_amount", Long.parseLong((String) p.get("unit_amount")));
            price.put("unit_amount_decimal", (String) p.get("unit_amount"));
            // Stripe keeps every currency in currency_options, the price's own included (shown only when expanded)
            ObjectNode options = price.putObject("currency_options");
            options.set(currency, currencyOption(price.get("unit_amount").asLong(), taxBehavior));
            if (p.get("currency_options") instanceof Map<?, ?> form) {
                for (Map.Entry<?, ?> e : form.entrySet()) {
                    String c = (String) e.getKey();
                    Map<?, ?> o = (Map<?, ?>) e.getValue();
                    if (c.equals(currency)) {
                        throw invalid("currency_options[" + c + "]: the price's own currency (" + c + ") takes unit_amount, not a currency option.");
                    }
                    if (o.get("unit_amount") == null) {
                        throw invalid("Missing required param: currency_options[" + c + "][unit_amount].");
                    }
                    options.set(c, currencyOption(Long.parseLong((String) o.get("unit_amount")),
                            o.get("tax_behavior") != null ? (String) o.get("tax_behavior") : taxBehavior));
                }
            }
            s.prices.put(price.get("id").asText(), price);
            return ok(priceAnswer(price, expands(p, "currency_options")));
        });
        s.route("GET", "/v1/prices/search", (m, p) -> ok(searchResult(s, "/v1/prices/search",
                filter(s.prices, query((String) p.get("query"))).stream().map(o -> priceAnswer(o, expands(p, "data.currency_options"))).toList())));
        s.route("GET", "/v1/prices/([^/]+)", (m, p) -> ok(priceAnswer(get(s.prices, "price", m.group(1)), expands(p, "currency_options"))));
        s.route("POST", "/v1/prices/([^/]+)", (m, p) -> {
            ObjectNode price = get(s.prices, "price", m.group(1));
            if (!(price.get("currency_options") instanceof ObjectNode)) { // a price a test stored as made elsewhere
                price.putObject("currency_options").set(price.get("currency").asText(),
                        currencyOption(price.path("unit_amount").asLong(), price.path("tax_behavior").asText("unspecified")));
            }
            ObjectNode options = (ObjectNode) price.get("currency_options");
            // "Once specified as either inclusive or exclusive, it cannot be changed" (the price's and each currency's)
            if (p.get("tax_behavior") instanceof String tax) {
                taxBehaviorChange(price.get("tax_behavior").asText(), tax, "tax_behavior");
            }
            if (p.get("currency_options") instanceof Map<?, ?> form) {
                for (Map.Entry<?, ?> e : form.entrySet()) {
                    String c = (String) e.getKey();
                    Map<?, ?> o = (Map<?, ?>) e.getValue();
                    if (c.equals(price.get("currency").asText())) {
                        throw invalid("currency_options[" + c + "]: the price's own currency cannot be updated (prices are immutable).");
                    }
                    JsonNode before = options.get(c);
                    if (o.get("tax_behavior") instanceof String tax && before != null) {
                        taxBehaviorChange(before.get("tax_behavior").asText(), tax, "currency_options[" + c + "][tax_behavior]");
                    }
                    if (before == null && o.get("unit_amount") == null) {
                        throw invalid("Missing required param: currency_options[" + c + "][unit_amount].");
                    }
                }
            }
            if (p.get("tax_behavior") instanceof String tax) {
                price.put("tax_behavior", tax);
                ((ObjectNode) options.get(price.get("currency").asText())).put("tax_behavior", tax);
            }
            if (p.get("currency_options") instanceof Map<?, ?> form) {
                for (Map.Entry<?, ?> e : form.entrySet()) {
                    String c = (String) e.getKey();
                    Map<?, ?> o = (Map<?, ?>) e.getValue();
                    JsonNode before = options.get(c);
                    long amount = o.get("unit_amount") != null ? Long.parseLong((String) o.get("unit_amount")) : before.get("unit_amount").asLong();
                    String tax = o.get("tax_behavior") != null ? (String) o.get("tax_behavior")
                            : before != null ? before.get("tax_behavior").asText() : price.get("tax_behavior").asText();
                    options.set(c, currencyOption(amount, tax));
                }
            }
            if (p.containsKey("active")) {
                price.put("active", "true".equals(p.get("active")));
            }
            if (p.containsKey("lookup_key")) {
                String key = "".equals(p.get("lookup_key")) ? null : (String) p.get("lookup_key");
                takeLookupKey(s, key, "true".equals(p.get("transfer_lookup_key")), price.get("id").asText());
                price.put("lookup_key", key);
            }
            price.set("metadata", metadata((ObjectNode) price.get("metadata"), p.get("metadata")));
            return ok(priceAnswer(price, expands(p, "currency_options")));
        });
        s.route("GET", "/v1/prices", (m, p) -> {
            List<?> keys = p.get("lookup_keys") instanceof List<?> l ? l : null;
            if (keys != null && keys.size() > 10) {
                throw invalid("You may only specify up to 10 lookup keys.");
            }
            List<ObjectNode> found = filter(s.prices, o -> (keys == null || keys.contains(o.path("lookup_key").asText(null)))
                    && (!p.containsKey("active") || o.get("active").asBoolean() == "true".equals(p.get("active")))
                    && (!p.containsKey("product") || o.get("product").asText().equals(p.get("product"))));
            boolean expandProduct = p.get("expand") instanceof List<?> e && e.contains("data.product");
            List<ObjectNode> out = found.stream().map(o -> {
                ObjectNode copy = priceAnswer(o, expands(p, "data.currency_options"));
                if (expandProduct) {
                    copy.set("product", s.products.get(o.get("product").asText()));
                }
                return copy;
            }).toList();
            return ok(s.list("/v1/prices", out, p));
        });
    }

    /**
     * A price as Stripe answers it: {@code currency_options} is an includable field, "not included by default. To include
     * it in the response, expand the currency_options field" (https://docs.stripe.com/products-prices/manage-prices), and
     * then holds the price's own currency too.
     */
    static ObjectNode priceAnswer(ObjectNode stored, boolean withCurrencyOptions) {
        ObjectNode copy = stored.deepCopy();
        if (!withCurrencyOptions) {
            copy.remove("currency_options");
        }
        return copy;
    }

    private static ObjectNode currencyOption(long unitAmount, String taxBehavior) {
        ObjectNode o = F.objectNode();
        o.putNull("custom_unit_amount");
        o.put("tax_behavior", taxBehavior);
        o.put("unit_amount", unitAmount);
        o.put("unit_amount_decimal", String.valueOf(unitAmount));
        return o;
    }

    /** Stripe: "Once specified as either inclusive or exclusive, it cannot be changed." */
    private static void taxBehaviorChange(String before, String after, String param) throws FakeStripe.ApiError {
        if (!before.equals("unspecified") && !before.equals(after)) {
            throw new FakeStripe.ApiError(400, "invalid_request_error", "parameter_invalid_string",
                    "The " + param + " of a price cannot be changed once it is set to inclusive or exclusive (it is " + before + ").");
        }
    }

    /** A lookup key belongs to one price: moving it needs {@code transfer_lookup_key}, as in Stripe. */
    private static void takeLookupKey(FakeStripe s, String key, boolean transfer, String self) throws FakeStripe.ApiError {
        if (key == null) {
            return;
        }
        for (ObjectNode other : filter(s.prices, o -> key.equals(o.path("lookup_key").asText(null)) && !o.get("id").asText().equals(self))) {
            if (!transfer) {
                throw invalid("A price (`" + other.get("id").asText() + "`) already uses that lookup key.");
            }
            other.putNull("lookup_key");
        }
    }

    // ------------------------------------------------------------------ subscriptions

    private static void subscriptions(FakeStripe s) {
        s.route("GET", "/v1/subscriptions", (m, p) -> {
            String status = (String) p.getOrDefault("status", null);
            List<ObjectNode> found = new FakeStripe.NewestFirst(s.subscriptionsNewestFirst(p).stream().filter(o -> {
                String st = o.get("status").asText();
                boolean statusOk = status == null ? !st.equals("canceled") && !st.equals("incomplete_expired")
                        : status.equals("all") || status.equals(st);
                boolean priceOk = !p.containsKey("price") || hasPrice(o, (String) p.get("price"));
                boolean customerOk = !p.containsKey("customer") || o.get("customer").asText().equals(p.get("customer"));
                return statusOk && priceOk && customerOk;
            }).toList());
            ObjectNode list = s.list("/v1/subscriptions", found, p);
            if (expands(p, "data.customer")) {
                ArrayNode data = (ArrayNode) list.get("data");
                for (int i = 0; i < data.size(); i++) {
                    ObjectNode copy = (ObjectNode) data.get(i).deepCopy(); // never change the stored object
                    ObjectNode customer = s.customers.get(copy.get("customer").asText());
                    if (customer != null) {
                        copy.set("customer", customer.deepCopy());
                    }
                    data.set(i, copy);
                }
            }
            return ok(list);
        });
    }

    // ------------------------------------------------------------------ events

    /** {@code GET /v1/events}: newest first, filtered by {@code types[]} and {@code created}, as Stripe lists them. */
    private static void events(FakeStripe s) {
        s.route("GET", "/v1/events", (m, p) -> {
            List<?> types = p.get("types") instanceof List<?> l ? l : null;
            java.util.function.Predicate<JsonNode> created = FakeStripe.created(p);
            List<ObjectNode> found = filter(s.events, e -> (types == null || types.contains(e.get("type").asText())) && created.test(e));
            return ok(s.list("/v1/events", found, p));
        });
    }

    private static boolean expands(Map<String, Object> p, String path) {
        return p.get("expand") instanceof List<?> l && l.contains(path);
    }

    private static boolean hasPrice(ObjectNode subscription, String priceId) {
        for (JsonNode item : subscription.at("/items/data")) {
            if (priceId.equals(item.at("/price/id").asText())) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ billing portal configurations

    private static void portal(FakeStripe s) {
        s.route("POST", "/v1/billing_portal/configurations", (m, p) -> {
            ObjectNode c = s.object().put("id", s.newId("bpc")).put("object", "billing_portal.configuration").put("active", true)
                    .put("created", s.now()).put("is_default", false).put("livemode", false);
            c.putNull("default_return_url");
            c.putObject("login_page").put("enabled", false).putNull("url");
            c.set("features", portalFeatures());
            mergeForm(c, p);
            c.put("updated", s.now());
            s.portalConfigurations.put(c.get("id").asText(), c);
            return ok(c);
        });
        s.route("GET", "/v1/billing_portal/configurations/([^/]+)", (m, p) -> ok(get(s.portalConfigurations, "configuration", m.group(1))));
        s.route("POST", "/v1/billing_portal/configurations/([^/]+)", (m, p) -> {
            ObjectNode c = get(s.portalConfigurations, "configuration", m.group(1));
            mergeForm(c, p);
            c.put("updated", s.now());
            return ok(c);
        });
        s.route("GET", "/v1/billing_portal/configurations", (m, p) -> ok(s.list("/v1/billing_portal/configurations",
                filter(s.portalConfigurations, o -> !p.containsKey("active") || o.get("active").asBoolean() == "true".equals(p.get("active"))), p)));
    }

    /** A configuration's features as Stripe fills them in before applying the parameters: everything off. */
    static ObjectNode portalFeatures() {
        ObjectNode f = F.objectNode();
        f.putObject("customer_update").put("enabled", false).putArray("allowed_updates");
        f.putObject("invoice_history").put("enabled", false);
        f.putObject("payment_method_update").put("enabled", false);
        ObjectNode cancel = f.putObject("subscription_cancel").put("enabled", false).put("mode", "at_period_end").put("proration_behavior", "none");
        cancel.putObject("cancellation_reason").put("enabled", false).putArray("options");
        f.putObject("subscription_update").put("enabled", false).put("proration_behavior", "none").putArray("default_allowed_updates");
        return f;
    }

    // ------------------------------------------------------------------ webhook endpoints

    private static void webhookEndpoints(FakeStripe s) {
        s.route("POST", "/v1/webhook_endpoints", (m, p) -> {
            ObjectNode e = s.object().put("id", s.newId("we")).put("object", "webhook_endpoint")
                    .put("api_version", (String) p.get("api_version")).put("created", s.now()).put("livemode", false)
                    .put("status", "enabled").put("url", (String) p.get("url"));
            e.putNull("application");
            e.put("description", (String) p.get("description"));
            e.set("enabled_events", strings(p.get("enabled_events")));
            e.set("metadata", metadata(null, p.get("metadata")));
            s.webhookEndpoints.put(e.get("id").asText(), e);
            // Stripe returns the signing secret on creation only.
            return ok(e.deepCopy().put("secret", "whsec_fake" + Long.toHexString(Double.doubleToLongBits(Math.random()))));
        });
        s.route("GET", "/v1/webhook_endpoints", (m, p) -> ok(s.list("/v1/webhook_endpoints", filter(s.webhookEndpoints, o -> true), p)));
        s.route("POST", "/v1/webhook_endpoints/([^/]+)", (m, p) -> {
            ObjectNode e = get(s.webhookEndpoints, "webhook_endpoint", m.group(1));
            if (p.containsKey("enabled_events")) {
                e.set("enabled_events", strings(p.get("enabled_events")));
            }
            if (p.containsKey("disabled")) {
                e.put("status", "true".equals(p.get("disabled")) ? "disabled" : "enabled");
            }
            copyText(p, e, "url");
            copyText(p, e, "description");
            e.set("metadata", metadata((ObjectNode) e.get("metadata"), p.get("metadata")));
            return ok(e);
        });
        s.route("DELETE", "/v1/webhook_endpoints/([^/]+)", (m, p) -> {
            get(s.webhookEndpoints, "webhook_endpoint", m.group(1));
            s.webhookEndpoints.remove(m.group(1));
            return ok(s.object().put("id", m.group(1)).put("object", "webhook_endpoint").put("deleted", true));
        });
    }

    // ------------------------------------------------------------------ form → object helpers

    static ObjectNode get(Map<String, ObjectNode> objects, String kind, String id) throws FakeStripe.ApiError {
        ObjectNode o = objects.get(id);
        if (o == null) {
            throw missing(kind, id);
        }
        return o;
    }

    private static void copyText(Map<String, Object> p, ObjectNode target, String field) {
        if (p.get(field) instanceof String v) {
            target.put(field, v);
        }
    }

    /** Stripe's metadata update: keys are merged, an empty value removes a key, {@code metadata=""} clears all. */
    static ObjectNode metadata(ObjectNode current, Object form) {
        ObjectNode out = current == null ? F.objectNode() : current.deepCopy();
        if ("".equals(form)) {
            return F.objectNode();
        }
        if (form instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if ("".equals(v)) {
                    out.remove((String) k);
                } else {
                    out.put((String) k, (String) v);
                }
            });
        }
        return out;
    }

    private static ArrayNode features(Object form) {
        ArrayNode out = F.arrayNode();
        if (form instanceof List<?> l) {
            for (Object f : l) {
                out.addObject().put("name", (String) ((Map<?, ?>) f).get("name"));
            }
        }
        return out;
    }

    private static ArrayNode strings(Object form) {
        ArrayNode out = F.arrayNode();
        if (form instanceof List<?> l) {
            l.forEach(v -> out.add((String) v));
        }
        return out;
    }

    /** Deep-merges form parameters into an object: booleans typed, {@code ""} clears a list or value. */
    static void mergeForm(ObjectNode target, Map<String, Object> form) {
        form.forEach((k, v) -> {
            if (k.equals("metadata")) {
                target.set("metadata", metadata(target.get("metadata") instanceof ObjectNode o ? o : null, v));
            } else if (v instanceof Map<?, ?> m) {
                ObjectNode child = target.get(k) instanceof ObjectNode o ? o : target.putObject(k);
                @SuppressWarnings("unchecked")
                Map<String, Object> sub = (Map<String, Object>) m;
                mergeForm(child, sub);
            } else {
                target.set(k, toJson(k, v));
            }
        });
    }

    private static JsonNode toJson(String field, Object v) {
        if (v instanceof List<?> l) {
            ArrayNode a = F.arrayNode();
            for (Object item : l) {
                if (item instanceof Map<?, ?> m) {
                    ObjectNode o = F.objectNode();
                    @SuppressWarnings("unchecked")
                    Map<String, Object> sub = (Map<String, Object>) m;
                    mergeForm(o, sub);
                    a.add(o);
                } else {
                    a.add(toJson(field, item));
                }
            }
            return a;
        }
        String s = (String) v;
        if (BOOLEAN_FIELDS.contains(field) && (s.equals("true") || s.equals("false"))) {
            return F.booleanNode(s.equals("true"));
        }
        if (s.isEmpty() && Set.of("products", "options", "default_allowed_updates", "allowed_updates").contains(field)) {
            return F.arrayNode();
        }
        return s.isEmpty() ? F.nullNode() : F.textNode(s);
    }
}
