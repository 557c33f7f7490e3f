package dev.billingcli.setup;

import dev.billingcli.stripe.PortalGateway.PortalConfiguration;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.Plan;
import dev.billingcli.catalog.PlanPrice;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The billing portal configuration plans.yaml asks for: as Stripe form fields (one shape serves both
 * create and update), and compared with what Stripe has.
 */
final class PortalConfig {
    private PortalConfig() {}

    static Map<String, Object> fields(Catalog catalog, Map<String, String> productIds, Map<String, String> priceIds) {
        Catalog.Portal portal = catalog.portal();
        Map<String, Object> fields = new LinkedHashMap<>();
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("headline", portal.headline() == null ? "" : portal.headline());
        fields.put("business_profile", profile);
        if (portal.returnUrl() != null) {
            fields.put("default_return_url", portal.returnUrl());
        }
        Map<String, Object> features = new LinkedHashMap<>();
        features.put("payment_method_update", Map.of("enabled", portal.paymentMethodUpdate()));
        features.put("invoice_history", Map.of("enabled", portal.invoiceHistory()));
        Map<String, Object> cancel = new LinkedHashMap<>();
        cancel.put("enabled", portal.cancel());
        if (portal.cancel()) {
            cancel.put("mode", portal.cancelMode());
            Map<String, Object> reasons = new LinkedHashMap<>();
            reasons.put("enabled", !portal.cancelReasons().isEmpty());
            reasons.put("options", portal.cancelReasons().isEmpty() ? "" : portal.cancelReasons());
            cancel.put("cancellation_reason", reasons);
        }
        features.put("subscription_cancel", cancel);
        Map<String, Object> update = new LinkedHashMap<>();
        List<Object> products = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : switchable(catalog, productIds, priceIds).entrySet()) {
            products.add(Map.of("product", e.getKey(), "prices", e.getValue()));
        }
        update.put("enabled", !products.isEmpty());
        update.put("default_allowed_updates", products.isEmpty() ? "" : List.of("price"));
        update.put("products", products.isEmpty() ? "" : products);
        update.put("proration_behavior", portal.prorationBehavior());
        features.put("subscription_update", update);
        fields.put("features", features);
        fields.put("metadata", Map.of(CatalogSync.MANAGED_BY, CatalogSync.MANAGER));
        return fields;
    }

    /** product id → its recurring price ids, for the plans customers may switch between. */
    private static Map<String, List<String>> switchable(Catalog catalog, Map<String, String> productIds, Map<String, String> priceIds) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String planId : catalog.portal().switchPlans()) {
            Plan plan = catalog.plans().get(planId);
            List<String> prices = new ArrayList<>();
            for (PlanPrice p : plan.prices().values()) {
                if (p.cycle().recurring() && priceIds.get(p.lookupKey()) != null) {
                    prices.add(priceIds.get(p.lookupKey()));
                }
            }
            String product = productIds.get(planId);
            if (product != null && !prices.isEmpty()) {
                out.put(product, prices);
            }
        }
        return out;
    }

    /** What differs between plans.yaml's portal and the configuration in Stripe; empty when in sync. */
    static List<String> differences(Catalog catalog, PortalConfiguration c, Map<String, String> productIds, Map<String, String> priceIds) {
        Catalog.Portal want = catalog.portal();
        List<String> d = new ArrayList<>();
        if (!Objects.equals(emptyToNull(c.headline()), want.headline())) {
            d.add("headline");
        }
        if (!Objects.equals(c.defaultReturnUrl(), want.returnUrl())) {
            d.add("default return URL");
        }
        if (!c.active()) {
            d.add("inactive");
        }
        if (!c.features()) {
            d.add("features");
            return d;
        }
        if (c.paymentMethodUpdate() == null || want.paymentMethodUpdate() != c.paymentMethodUpdate()) {
            d.add("payment method update");
        }
        if (c.invoiceHistory() == null || want.invoiceHistory() != c.invoiceHistory()) {
            d.add("invoice history");
        }
        if (c.cancelEnabled() != want.cancel()) {
            d.add("cancellation");
        } else if (want.cancel()) {
            if (!want.cancelMode().equals(c.cancelMode())) {
                d.add("cancellation mode");
            }
            if (!new HashSet<>(c.cancelReasons()).equals(new HashSet<>(want.cancelReasons()))) {
                d.add("cancellation reasons");
            }
        }
        Map<String, List<String>> wantProducts = switchable(catalog, productIds, priceIds);
        if (c.updateEnabled() != !wantProducts.isEmpty()) {
            d.add("plan switching");
        } else if (c.updateEnabled()) {
            if (!want.prorationBehavior().equals(c.prorationBehavior())) {
                d.add("proration");
            }
            // Newer API versions return products only when asked for; compare them when present.
            if (c.updateProducts() != null) {
                Map<String, java.util.Set<String>> wantSets = new LinkedHashMap<>();
                wantProducts.forEach((k, v) -> wantSets.put(k, new HashSet<>(v)));
                if (!c.updateProducts().equals(wantSets)) {
                    d.add("switchable prices");
                }
            }
        }
        return d;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
