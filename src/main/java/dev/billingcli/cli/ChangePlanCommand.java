package dev.billingcli.cli;

import dev.billingcli.BillingException;
import dev.billingcli.ExitCode;
import dev.billingcli.catalog.Cycle;
import dev.billingcli.support.SupportService;
import dev.billingcli.support.SupportService.PlanChange;
import dev.billingcli.support.SupportService.Request;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "change-plan", description = "Move the account's subscription to another plan, cycle or quantity. --at now (default): "
        + "at once, with prorations, after Stripe's own preview of them (POST /v1/invoices/create_preview, dated like the update); "
        + "--dry-run shows only the preview. --at renewal: from the period end, with a subscription schedule, no charge now, after Stripe's preview of the first invoice at the new price; status "
        + "shows it and --cancel-scheduled releases it. Audited. Exit 1 when the subscription ended (start a checkout) or already "
        + "has a schedule, 2 for a plan without a price for the cycle or bad input, 4 for a live key without --live.",
        footerHeading = "%nExamples:%n",
        footer = {"  billing change-plan --account acme --plan business --dry-run",
                "  billing change-plan --account acme --plan business --cycle yearly --quantity 3 --reason \"upgrade by phone\"",
                "  billing change-plan --account acme --plan pro --at renewal --reason \"downgrade asked by email\"",
                "  billing change-plan --account acme --cancel-scheduled --reason \"changed their mind\""})
final class ChangePlanCommand implements Callable<Integer> {
    @Mixin
    AccountOption account;

    @Option(names = "--plan", paramLabel = "PLAN", completionCandidates = PlanIds.class,
            description = "A plan of plans.yaml with a recurring price.")
    String plan;

    @Option(names = "--cycle", paramLabel = "monthly|yearly", description = "Which price [default: the subscription's current cycle].")
    String cycle;

    @Option(names = "--quantity", paramLabel = "N", description = "Seats or units [default: the current quantity].")
    Integer quantity;

    @Option(names = "--at", paramLabel = "now|renewal", defaultValue = "now", description = "When the change takes effect: now, with "
            + "prorations, or at the renewal (the period end) [default: now].")
    String at;

    @Option(names = "--cancel-scheduled", description = "Release the subscription's schedule: drop the change waiting for the renewal.")
    boolean cancelScheduled;

    @Mixin
    WriteOptions write;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String why = write.reason();
        if (cancelScheduled && (plan != null || cycle != null || quantity != null)) {
            throw BillingException.invalid("--cancel-scheduled takes no --plan, --cycle or --quantity");
        }
        if (!cancelScheduled && plan == null) {
            throw BillingException.invalid("give --plan PLAN (or --cancel-scheduled)");
        }
        Cycle c = null;
        if (cycle != null) {
            c = Cycle.fromKey(cycle);
            if (c == null || !c.recurring()) {
                throw BillingException.invalid("--cycle must be monthly or yearly, got " + cycle);
            }
        }
        SupportService.ChangeAt when = switch (at) {
            case "now" -> SupportService.ChangeAt.NOW;
            case "renewal" -> SupportService.ChangeAt.RENEWAL;
            default -> throw BillingException.invalid("--at must be now or renewal, got " + at);
        };
        PlanChange change = cancelScheduled ? SupportCommands.service(spec).cancelScheduled(account.id, why, write.dryRun)
                : SupportCommands.service(spec).changePlan(new SupportService.PlanChangeRequest(account.id, plan, c, quantity, when, why,
                        write.dryRun, Instant.now()));
        Output out = Commands.output(spec);
        if (out.json()) {
            out.json(new Json(account.id, change.sent(), change.message(), change.plan(), change.cycle(), change.quantity(), change.preview(),
                    change.request(), SupportCommands.SubscriptionJson.of(change.before()), SupportCommands.SubscriptionJson.of(change.after())));
            return ExitCode.OK;
        }
        if (change.preview() != null) {
            SupportService.Preview p = change.preview();
            String currency = p.currency() == null ? "" : " " + p.currency().toUpperCase(Locale.ROOT);
            out.line("Stripe's preview of the next invoice" + (p.invoiceDate() != null ? " (" + SupportCommands.day(p.invoiceDate()) + ")" : "") + ":");
            for (SupportService.PreviewLine l : p.lines()) {
                out.line("  " + String.format(Locale.ROOT, "%10s", money(l.amount(), p.currency())) + currency + "  "
                        + (l.description() != null ? l.description() : "") + (l.proration() ? "  (proration)" : ""));
            }
            out.line("  prorations " + money(p.prorations(), p.currency()) + currency + ", total " + money(p.total(), p.currency()) + currency);
        }
        SupportCommands.printAction(out, change.message(), change.sent(), change.request(), change.preview() == null);
        return ExitCode.OK;
    }

    private static String money(long minor, String currency) {
        return dev.billingcli.catalog.Money.format(minor, currency == null ? "eur" : currency);
    }

    /** {@code -o json change-plan}. */
    record Json(String account, boolean sent, String message, String plan, String cycle, int quantity, SupportService.Preview preview,
            Request request, SupportCommands.SubscriptionJson before, SupportCommands.SubscriptionJson after) {}
}
