package dev.billingcli.catalog;

/**
 * One price of a plan, in minor units. Its Stripe lookup key is {@code <plan>_<cycle>}, e.g.
 * {@code pro_monthly}, {@code credits_pack_once}.
 */
public record PlanPrice(String planId, Cycle cycle, String currency, long unitAmount) {
    public String lookupKey() {
        return lookupKey(planId, cycle);
    }

    public static String lookupKey(String planId, Cycle cycle) {
        return planId + "_" + cycle.key();
    }

    /** {@code 9.90} */
    public String display() {
        return Money.format(unitAmount, currency);
    }
}
