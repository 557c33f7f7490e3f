package dev.billingcli.catalog;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * plans.yaml, validated. The source of truth for products and prices.
 *
 * @param currency the currency of every price (the Stripe price's own)
 * @param currencies the other currencies every price also has (Stripe's {@code currency_options}), in file order
 * @param taxBehavior {@code exclusive}, {@code inclusive}, or null (not managed: Stripe's settings decide)
 * @param plans in file order
 * @param coupons by key, in file order
 * @param promotionCodes by code, in file order
 */
public record Catalog(
        String currency,
        List<String> currencies,
        String taxBehavior,
        int gracePeriodDays,
        Map<String, Plan> plans,
        CheckoutDefaults checkout,
        Portal portal,
        Map<String, Coupon> coupons,
        Map<String, PromotionCode> promotionCodes) {

    /** The default free plan: the plan without prices and without a contact, if any. */
    public Optional<Plan> freePlan() {
        return plans.values().stream().filter(p -> p.prices().isEmpty() && p.contact() == null).findFirst();
    }

    public Optional<Plan> plan(String id) {
        return Optional.ofNullable(plans.get(id));
    }

    /** Every price in the catalog, in file order. */
    public List<PlanPrice> prices() {
        return plans.values().stream().flatMap(p -> p.prices().values().stream()).toList();
    }

    /** The plan a Stripe price's lookup key belongs to, if any. */
    public Optional<String> planOfLookupKey(String lookupKey) {
        return priceByLookupKey(lookupKey).map(PlanPrice::planId);
    }

    /** Finds the plan and cycle a Stripe lookup key names ({@code pro_monthly}). */
    public Optional<PlanPrice> priceByLookupKey(String lookupKey) {
        return prices().stream().filter(p -> p.lookupKey().equals(lookupKey)).findFirst();
    }

    /** Every currency a customer can pay in: {@link #currency} first, then {@link #currencies}. */
    public List<String> allCurrencies() {
        List<String> all = new java.util.ArrayList<>();
        all.add(currency);
        all.addAll(currencies);
        return all;
    }

    /**
     * What {@code checkout} uses when the command line does not say: URLs, and whether Stripe Tax computes the
     * tax ({@code automatic_tax[enabled]}).
     */
    public record CheckoutDefaults(String successUrl, String cancelUrl, String returnUrl, boolean automaticTax) {
        public static final CheckoutDefaults NONE = new CheckoutDefaults(null, null, null, false);
    }

    /** The billing portal configuration that {@code stripe:setup} manages. */
    public record Portal(
            String headline,
            String returnUrl,
            boolean paymentMethodUpdate,
            boolean invoiceHistory,
            boolean cancel,
            String cancelMode,
            List<String> cancelReasons,
            List<String> switchPlans,
            String prorationBehavior) {}
}
