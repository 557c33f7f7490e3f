package dev.billingcli.cli;

import dev.billingcli.App;
import picocli.CommandLine.Option;

/**
 * {@code --rate N}: Stripe requests per second for this run, shared by every thread of the process. Used as a
 * picocli {@code @Mixin} by the commands that make many Stripe calls (sync, events fetch, prices migrate); call
 * {@link #applyTo} before the command's first Stripe call.
 */
final class RateOption {
    @Option(names = "--rate", paramLabel = "N", description = "Stripe requests per second for this run, all threads together "
            + "(default: 20 with a test key, 80 with a live key, or BILLING_STRIPE_RATE; Stripe allows 25 and 100).")
    Double rate;

    void applyTo(App app) {
        if (rate != null) {
            app.stripeRate(rate);
        }
    }
}
