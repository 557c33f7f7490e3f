package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.ExitCode;
import dev.billingcli.config.DotEnv;
import dev.billingcli.config.Secrets;
import dev.billingcli.webhook.WebhookRegistration;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "stripe:webhook",
        description = "Register (or update) the Stripe webhook endpoint for URL with exactly the events webhook-serve handles, "
                + "at the API version this tool speaks. The signing secret is shown once, at creation.",
        footerHeading = "%nExamples:%n",
        footer = {"  billing stripe:webhook --url https://app.example.com/webhook --write-env .env"})
final class StripeWebhookCommand implements Callable<Integer> {
    /** The event types webhook-serve handles: the keys of its handler map, so the two cannot disagree. */
    static final List<String> HANDLED_EVENTS = dev.billingcli.webhook.Handlers.TYPES;

    @Option(names = "--url", required = true, paramLabel = "URL", description = "The public URL of webhook-serve, e.g. https://app.example.com/webhook.")
    String url;

    @Option(names = "--write-env", paramLabel = "FILE", description = "Store the new signing secret as STRIPE_WEBHOOK_SECRET in FILE.")
    Path writeEnv;

    @Option(names = "--recreate", description = "Delete and recreate an endpoint whose API version differs (its secret changes).")
    boolean recreate;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            throw dev.billingcli.BillingException.invalid("--url must be an http(s) URL, got " + url);
        }
        App app = Commands.app(spec);
        Output out = Commands.output(spec);
        WebhookRegistration.Outcome outcome = app.webhookRegistration().register(url, recreate);
        Path envFile = null;
        if (outcome.secret() != null && writeEnv != null) {
            envFile = writeEnv.isAbsolute() ? writeEnv : app.workingDir().resolve(writeEnv);
            DotEnv.write(envFile, Map.of("STRIPE_WEBHOOK_SECRET", outcome.secret()));
        }
        int code = outcome.versionMismatch() ? ExitCode.DIFFERENCE_OR_NOT_FOUND : ExitCode.OK;
        if (out.json()) {
            out.json(new Json(outcome.endpointId(), outcome.status(), outcome.message(), envFile == null ? outcome.secret() : null,
                    envFile == null ? null : envFile.toString()));
            return code;
        }
        out.line(outcome.message());
        if (outcome.secret() != null) {
            if (envFile != null) {
                out.line("Signing secret " + Secrets.mask(outcome.secret()) + " written to " + envFile + " as STRIPE_WEBHOOK_SECRET.");
            } else {
                // Stripe shows the secret only now: printing it once is the point of this line.
                out.line("Signing secret (shown once; keep it as STRIPE_WEBHOOK_SECRET): " + outcome.secret());
            }
        }
        return code;
    }

    /** {@code -o json stripe:webhook}: the secret only when it was not written to a file. */
    record Json(String endpoint, String status, String message, String secret, String envFile) {}
}
