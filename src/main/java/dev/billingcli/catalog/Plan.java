package dev.billingcli.catalog;

import java.util.List;
import java.util.Map;

/**
 * One plan of plans.yaml.
 *
 * @param prices by cycle, empty for plans sold without Stripe (free, enterprise)
 * @param limits each value a number or {@link #UNLIMITED}
 * @param contact set for plans sold by hand
 */
public record Plan(
        String id,
        String name,
        String description,
        Map<Cycle, PlanPrice> prices,
        int trialDays,
        long credits,
        Map<String, Long> limits,
        List<String> features,
        String contact) {

    public static final long UNLIMITED = -1;

    public boolean recurring() {
        return prices.keySet().stream().anyMatch(Cycle::recurring);
    }

    public PlanPrice price(Cycle cycle) {
        return prices.get(cycle);
    }
}
