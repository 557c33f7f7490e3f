package dev.billingcli.catalog;

import java.util.Locale;

/** How often a price bills. {@code ONCE} is a one-time price (Checkout in payment mode). */
public enum Cycle {
    MONTHLY("month"),
    YEARLY("year"),
    ONCE(null);

    private final String stripeInterval;

    Cycle(String stripeInterval) {
        this.stripeInterval = stripeInterval;
    }

    /** Stripe's {@code recurring.interval}, or null for a one-time price. */
    public String stripeInterval() {
        return stripeInterval;
    }

    public boolean recurring() {
        return stripeInterval != null;
    }

    /** The key used in plans.yaml and in lookup keys: {@code monthly}, {@code yearly}, {@code once}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Cycle fromKey(String key) {
        for (Cycle c : values()) {
            if (c.key().equals(key)) {
                return c;
            }
        }
        return null;
    }

    public static Cycle fromStripeInterval(String interval) {
        for (Cycle c : values()) {
            if (c.stripeInterval != null && c.stripeInterval.equals(interval)) {
                return c;
            }
        }
        return interval == null ? ONCE : null;
    }
}
