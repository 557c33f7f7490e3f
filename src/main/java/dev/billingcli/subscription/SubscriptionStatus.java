package dev.billingcli.subscription;

import java.util.Locale;

/**
 * A subscription's status: Stripe's, plus the two this app holds while a checkout's money is on its way
 * ({@code pending_payment}, {@code pending_bank_transfer}). {@link #wire()} is the stored and sent value.
 */
public enum SubscriptionStatus {
    INCOMPLETE, INCOMPLETE_EXPIRED, TRIALING, ACTIVE, PAST_DUE, CANCELED, UNPAID, PAUSED, PENDING_PAYMENT, PENDING_BANK_TRANSFER;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status of a stored or received value; null for null or a value Stripe added after this build. */
    public static SubscriptionStatus of(String wire) {
        if (wire == null) {
            return null;
        }
        for (SubscriptionStatus s : values()) {
            if (s.wire().equals(wire)) {
                return s;
            }
        }
        return null;
    }

    /** Ended for good: a second checkout would not double-bill. */
    public boolean ended() {
        return this == CANCELED || this == INCOMPLETE_EXPIRED;
    }

    /** Checkout finished but the money has not arrived. */
    public boolean pending() {
        return this == PENDING_PAYMENT || this == PENDING_BANK_TRANSFER;
    }
}
