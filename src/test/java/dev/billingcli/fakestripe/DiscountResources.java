package dev.billingcli.fakestripe;

import static dev.billingcli.fakestripe.FakeStripe.filter;
import static dev.billingcli.fakestripe.FakeStripe.invalid;
import static dev.billingcli.fakestripe.FakeStripe.ok;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Coupons and promotion codes as the pinned API version answers them: a coupon's {@code applies_to}
 * only when expanded, a promotion code's coupon under {@code promotion} (2025-09-30.clover), deleted
 * coupons gone from lists. Stripe's rules that matter to stripe:setup are kept: coupon ids are unique,
 * a coupon's terms cannot be changed, an active code is unique regardless of case, and a code can only
 * be (de)activated or re-tagged after creation.
 */
final class DiscountResources {
    private DiscountResources() {}

    static void register(FakeStripe s) {
        coupons(s);
        promotionCodes(s);
    }

    private static void coupons(FakeStripe s) {
        s.route("POST", "/v1/coupons", (m, p) -> {
            String id = p.containsKey("id") ? (String) p.get("id") : s.newId("co");
            if (s.coupons.containsKey(id)) {
                throw new FakeStripe.ApiError(400, "invalid_request_error", "resource_already_exists", "Coupon already exists.");
            }
            boolean percent = p.containsKey("percent_off");
            if (percent == p.containsKey("amount_off")) {
                throw invalid("You must pass either `percent_off` or `amount_off`.");
            }
            if (!percent && !p.containsKey("currency")) {
                throw invalid("You must pass `currency` with `amount_off`.");
            }
            String duration = (String) p.getOrDefault("duration", "once");
            if ("repeating".equals(duration) != p.containsKey("duration_in_months")) {
                throw invalid("`duration_in_months` goes with `duration=repeating`, and only with it.");
            }
            ObjectNode c = s.object().put("id", id).put("object", "coupon").put("created", s.now()).put("livemode", false)
                    .put("duration", duration);
            if (percent) {
                c.putNull("amount_off");
                c.putNull("currency");
                c.put("percent_off", new BigDecimal((String) p.get("percent_off")));
            } else {
                c.put("amount_off", Long.parseLong((String) p.get("amount_off")));
                c.put("currency", (String) p.get("currency"));
                c.putNull("percent_off");
            }
            if (p.containsKey("duration_in_months")) {
                c.put("duration_in_months", Long.parseLong((String) p.get("duration_in_months")));
            } else {
                c.putNull("duration_in_months");
            }
            c.putNull("max_redemptions");
            c.set("metadata", Resources.metadata(null, p.get("metadata")));
            c.put("name", (String) p.get("name"));
            c.putNull("redeem_by");
            c.put("times_redeemed", 0).put("valid", true);
            if (p.get("applies_to") instanceof Map<?, ?> a && a.get("products") instanceof List<?> products) {
                ObjectNode appliesTo = c.putObject("applies_to");
                products.forEach(prod -> appliesTo.withArray("products").add((String) prod));
            }
            s.coupons.put(id, c);
            return ok(visible(c, p, ""));
        });
        s.route("GET", "/v1/coupons/([^/]+)", (m, p) -> ok(visible(Resources.get(s.coupons, "coupon", m.group(1)), p, "")));
        s.route("POST", "/v1/coupons/([^/]+)", (m, p) -> {
            ObjectNode c = Resources.get(s.coupons, "coupon", m.group(1));
            if (p.get("name") instanceof String name) {
                c.put("name", name);
            }
            c.set("metadata", Resources.metadata((ObjectNode) c.get("metadata"), p.get("metadata")));
            return ok(visible(c, p, ""));
        });
        s.route("DELETE", "/v1/coupons/([^/]+)", (m, p) -> {
            Resources.get(s.coupons, "coupon", m.group(1));
            s.coupons.remove(m.group(1));
            return ok(s.object().put("id", m.group(1)).put("object", "coupon").put("deleted", true));
        });
        s.route("GET", "/v1/coupons", (m, p) -> {
            ObjectNode list = s.list("/v1/coupons", filter(s.coupons, c -> true), p);
            var data = (com.fasterxml.jackson.databind.node.ArrayNode) list.get("data");
            for (int i = 0; i < data.size(); i++) {
                data.set(i, visible((ObjectNode) data.get(i), p, "data."));
            }
            return ok(list);
        });
    }

    /** Stripe leaves {@code applies_to} out unless it is expanded. */
    private static ObjectNode visible(ObjectNode coupon, Map<String, Object> p, String prefix) {
        ObjectNode copy = coupon.deepCopy();
        boolean expanded = p.get("expand") instanceof List<?> e && e.contains(prefix + "applies_to");
        if (!expanded) {
            copy.remove("applies_to");
        } else if (!copy.has("applies_to")) {
            copy.putObject("applies_to").putArray("products");
        }
        return copy;
    }

    private static void promotionCodes(FakeStripe s) {
        s.route("POST", "/v1/promotion_codes", (m, p) -> {
            if (!(p.get("promotion") instanceof Map<?, ?> promotion) || !"coupon".equals(promotion.get("type"))
                    || !(promotion.get("coupon") instanceof String couponId)) {
                throw invalid("Missing required param: promotion[coupon].");
            }
            Resources.get(s.coupons, "coupon", couponId);
            String code = (String) p.get("code");
            if (code == null) {
                code = "FAKE" + s.now();
            }
            String wanted = code;
            if (!filter(s.promotionCodes, o -> o.get("active").asBoolean() && o.get("code").asText().equalsIgnoreCase(wanted)).isEmpty()) {
                throw invalid("An active promotion code with `code: " + code + "` already exists.");
            }
            ObjectNode c = s.object().put("id", s.newId("promo")).put("object", "promotion_code")
                    .put("active", !"false".equals(p.get("active"))).put("code", code).put("created", s.now());
            c.putNull("customer");
            c.putNull("customer_account");
            if (p.containsKey("expires_at")) {
                c.put("expires_at", Long.parseLong((String) p.get("expires_at")));
            } else {
                c.putNull("expires_at");
            }
            c.put("livemode", false);
            if (p.containsKey("max_redemptions")) {
                c.put("max_redemptions", Long.parseLong((String) p.get("max_redemptions")));
            } else {
                c.putNull("max_redemptions");
            }
            c.set("metadata", Resources.metadata(null, p.get("metadata")));
            c.putObject("promotion").put("type", "coupon").put("coupon", couponId);
            ObjectNode restrictions = c.putObject("restrictions").put("first_time_transaction",
                    p.get("restrictions") instanceof Map<?, ?> r && "true".equals(r.get("first_time_transaction")));
            restrictions.putNull("minimum_amount");
            restrictions.putNull("minimum_amount_currency");
            c.put("times_redeemed", 0);
            s.promotionCodes.put(c.get("id").asText(), c);
            return ok(c);
        });
        s.route("GET", "/v1/promotion_codes/([^/]+)", (m, p) -> ok(Resources.get(s.promotionCodes, "promotion_code", m.group(1))));
        s.route("POST", "/v1/promotion_codes/([^/]+)", (m, p) -> {
            ObjectNode c = Resources.get(s.promotionCodes, "promotion_code", m.group(1));
            if (p.containsKey("active")) {
                boolean active = "true".equals(p.get("active"));
                if (active && !c.get("active").asBoolean() && !filter(s.promotionCodes, o -> o.get("active").asBoolean()
                        && o.get("code").asText().equalsIgnoreCase(c.get("code").asText())).isEmpty()) {
                    throw invalid("An active promotion code with `code: " + c.get("code").asText() + "` already exists.");
                }
                c.put("active", active);
            }
            c.set("metadata", Resources.metadata((ObjectNode) c.get("metadata"), p.get("metadata")));
            return ok(c);
        });
        s.route("GET", "/v1/promotion_codes", (m, p) -> ok(s.list("/v1/promotion_codes", filter(s.promotionCodes, o ->
                (!p.containsKey("active") || o.get("active").asBoolean() == "true".equals(p.get("active")))
                        && (!p.containsKey("code") || o.get("code").asText().equalsIgnoreCase((String) p.get("code")))
                        && (!p.containsKey("coupon") || o.at("/promotion/coupon").asText().equals(p.get("coupon")))), p)));
    }
}
