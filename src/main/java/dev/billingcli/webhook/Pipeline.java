package dev.billingcli.webhook;

import dev.billingcli.App;
import dev.billingcli.BillingException;
import dev.billingcli.stripe.EventsGateway;
import java.util.ArrayList;
import java.util.List;

/** Builds the pipeline's parts from a run's {@link App}: what the commands share. */
public final class Pipeline {
    private Pipeline() {}

    /** The processor, with Stripe fetches to settle ties when a Stripe key is configured. */
    public static EventProcessor processor(App app) {
        EventsGateway stripe = app.settings().stripeKey() != null ? new EventsGateway(app.stripe()) : null;
        return new EventProcessor(app.database(), app.catalog(), stripe == null ? null : stripe::subscription);
    }

    public static EventLog eventLog(App app) {
        return new EventLog(app.database(), processor(app));
    }

    /**
     * The signing secrets: {@code --secret} flags, else {@code STRIPE_WEBHOOK_SECRET} (comma-separated, for
     * rotation). None → exit 2: the listener fails closed, there is no flag to skip verification.
     */
    public static List<String> secrets(App app, List<String> flags) {
        List<String> secrets = new ArrayList<>();
        if (flags != null && !flags.isEmpty()) {
            flags.forEach(f -> split(f, secrets));
        } else if (app.settings().env("STRIPE_WEBHOOK_SECRET") != null) {
            split(app.settings().env("STRIPE_WEBHOOK_SECRET"), secrets);
        }
        if (secrets.isEmpty()) {
            throw BillingException.invalid("no webhook signing secret: set STRIPE_WEBHOOK_SECRET (billing stripe:webhook --write-env .env"
                    + " creates one) or pass --secret; unsigned events are never accepted");
        }
        return secrets;
    }

    private static void split(String value, List<String> into) {
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                into.add(s.strip());
            }
        }
    }
}
