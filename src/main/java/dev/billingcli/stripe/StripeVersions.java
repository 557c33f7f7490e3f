package dev.billingcli.stripe;

import com.stripe.Stripe;

/**
 * The one accessor for the versions this tool speaks: stripe-java's, and the Stripe API version it pins
 * (every request, every registered webhook endpoint and every built event uses this one). Both are
 * compile-time constants, so reading them loads no class: {@code --version} stays light.
 */
public final class StripeVersions {
    /** The pinned Stripe API version, e.g. {@code 2026-07-29.dahlia}. */
    public static final String API = Stripe.API_VERSION;
    /** stripe-java's version. */
    public static final String LIBRARY = Stripe.VERSION;

    private StripeVersions() {}
}
