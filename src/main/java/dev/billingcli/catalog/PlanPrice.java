package dev.billingcli.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One price of a plan, in minor units. Its Stripe lookup key is {@code <plan>_<cycle>}, e.g.
 * {@code pro_monthly}, {@code credits_pack_once}. One Stripe price holds every currency: the catalog's
 * {@code currency} as the price's own, the others as Stripe's {@code currency_options}.
 *
 * @param currencyOptions the other currencies of plans.yaml's {@code currencies}, in that order → minor units
 * @param taxBehavior {@code exclusive} or {@code inclusive}, or null when plans.yaml leaves it to Stripe's settings
 */
public record PlanPrice(String planId, Cycle cycle, String currency, long unitAmount, Map<String, Long> currencyOptions,
        String taxBehavior) {
    public PlanPrice {
        currencyOptions = currencyOptions == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(currencyOptions));
    }

    /** A price in one currency, tax behaviour left to Stripe. */
    public PlanPrice(String planId, Cycle cycle, String currency, long unitAmount) {
        this(planId, cycle, currency, unitAmount, Map.of(), null);
    }

    public String lookupKey() {
        return lookupKey(planId, cycle);
    }

    public static String lookupKey(String planId, Cycle cycle) {
        return planId + "_" + cycle.key();
    }

    /** Every currency of the price: its own first, then the options. */
    public List<String> currencies() {
        List<String> all = new ArrayList<>();
        all.add(currency);
        all.addAll(currencyOptions.keySet());
        return all;
    }

    /** The amount in one of its currencies, in minor units. */
    public Optional<Long> amountIn(String c) {
        return c.equals(currency) ? Optional.of(unitAmount) : Optional.ofNullable(currencyOptions.get(c));
    }

    /** {@code 9.90} */
    public String display() {
        return Money.format(unitAmount, currency);
    }

    /** {@code 9.90 EUR, 10.90 USD, 8.90 GBP} */
    public String displayAll() {
        List<String> parts = new ArrayList<>();
        for (String c : currencies()) {
            parts.add(Money.format(amountIn(c).orElseThrow(), c) + " " + c.toUpperCase(java.util.Locale.ROOT));
        }
        return String.join(", ", parts);
    }
}
