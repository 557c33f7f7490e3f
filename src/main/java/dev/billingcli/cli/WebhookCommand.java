package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.BillingException;
import dev.billingcli.ExitCode;
import dev.billingcli.catalog.Cycle;
import dev.billingcli.webhook.EventProcessor;
import dev.billingcli.trigger.Trigger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "webhook", description = "Work with the webhook pipeline without Stripe.",
        subcommands = WebhookCommand.TriggerCommand.class,
        footerHeading = "%nExamples:%n", footer = "  billing webhook trigger checkout.session.completed --account acme --plan pro --local")
final class WebhookCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "trigger",
            description = {"Build a realistic signed event of TYPE for our catalog and send it to webhook-serve (or, with --local, "
                + "process it here).",
                "The event is of the pinned API version, signed with the configured secret, and goes through the same code as "
                + "webhook-serve's. Ids are stable per account, so a sequence of triggers moves one subscription through its life."},
            footerHeading = "%nExamples:%n",
            footer = {"  billing webhook trigger checkout.session.completed --account acme --plan pro --local",
                "  billing webhook trigger customer.subscription.updated --account acme --plan pro --cancel-at-period-end --local",
                "  billing webhook trigger customer.subscription.deleted --account acme --plan pro --local",
                "  billing webhook trigger invoice.paid --account acme --url http://127.0.0.1:4242/webhook"})
    static final class TriggerCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "TYPE", description = "Event type, e.g. customer.subscription.updated.")
        String type;

        @Mixin
        AccountOption account;

        @Option(names = "--plan", paramLabel = "PLAN", completionCandidates = PlanIds.class, description = "Catalog plan [default: the first recurring plan].")
        String plan;

        @Option(names = "--cycle", defaultValue = "monthly", paramLabel = "CYCLE", description = "monthly or yearly [default: ${DEFAULT-VALUE}].")
        String cycle;

        @Option(names = "--cancel-at-period-end", description = "The subscription is set to cancel at the period end.")
        boolean cancelAtPeriodEnd;

        @Option(names = "--status", paramLabel = "STATUS", description = "Subscription status (active, trialing, past_due, unpaid…).")
        String status;

        @Option(names = "--quantity", defaultValue = "1", paramLabel = "N", description = "Seats [default: ${DEFAULT-VALUE}].")
        int quantity;

        @Option(names = "--unpaid", description = "Checkout paid by bank transfer, money not arrived yet (payment_status=unpaid).")
        boolean unpaid;

        @Option(names = "--billing-reason", defaultValue = "subscription_cycle", paramLabel = "REASON",
                description = "Invoice billing_reason [default: ${DEFAULT-VALUE}].")
        String billingReason;

        @Option(names = "--url", paramLabel = "URL", description = "Where webhook-serve listens [default: http://127.0.0.1:4242/webhook].")
        String url;

        @Option(names = "--local", description = "Process in this process, without a server.")
        boolean local;

        @Option(names = "--secret", paramLabel = "WHSEC", description = "Signing secret [default: the first of STRIPE_WEBHOOK_SECRET].")
        String secret;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (local && url != null) {
                throw BillingException.invalid("give --url or --local, not both");
            }
            Cycle c = Cycle.fromKey(cycle);
            if (c == null || !c.recurring()) {
                throw BillingException.invalid("--cycle must be monthly or yearly, got " + cycle);
            }
            if (quantity < 1) {
                throw BillingException.invalid("--quantity must be at least 1");
            }
            App app = Commands.app(spec);
            String signingSecret = app.webhookSecrets(secret == null ? null : List.of(secret)).get(0);
            List<Trigger.Built> events = Trigger.build(new Trigger.Request(type, account.id, plan, c, cancelAtPeriodEnd, status, quantity,
                    unpaid ? "unpaid" : "paid", billingReason, Instant.now()), app.catalog());
            Output out = Commands.output(spec);
            EventProcessor processor = local ? app.eventProcessor() : null;
            String target = url != null ? url : "http://127.0.0.1:4242/webhook";
            List<Object> rows = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            int code = ExitCode.OK;
            for (Trigger.Built e : events) {
                if (local) {
                    EventProcessor.Result result = Trigger.local(processor, signingSecret, e);
                    Applied r = new Applied(e.eventId(), e.type(), result.outcome().wire(), result.note());
                    rows.add(r);
                    lines.add(r.id() + " " + r.type() + " → " + r.outcome() + (r.note() != null ? " (" + r.note() + ")" : ""));
                    if (result.outcome() == dev.billingcli.webhook.Outcome.FAILED) {
                        code = ExitCode.SERVICE_FAILED;
                    }
                } else {
                    Trigger.Answer a = Trigger.post(target, signingSecret, e);
                    Delivered r = new Delivered(e.eventId(), e.type(), a.status(), a.body());
                    rows.add(r);
                    lines.add(r.id() + " " + r.type() + " → " + r.status() + " " + r.answer());
                    if (a.status() != 200) {
                        code = ExitCode.SERVICE_FAILED;
                    }
                }
            }
            if (out.json()) {
                out.json(rows);
            } else {
                lines.forEach(out::line);
            }
            if (code != ExitCode.OK) {
                // the results stay on stdout (or in the JSON); stderr says in one line that something failed
                spec.commandLine().getErr().println("billing: " + (local ? "an event failed to apply" : target + " did not answer 200"
                        + " to every event") + " (see above)");
                spec.commandLine().getErr().flush();
            }
            return code;
        }

        /** {@code -o json webhook trigger --local}: one per event, what processing it did. */
        record Applied(String id, String type, String outcome, String note) {}

        /** {@code -o json webhook trigger}: one per event, webhook-serve's answer. */
        record Delivered(String id, String type, int status, String answer) {}
    }
}
