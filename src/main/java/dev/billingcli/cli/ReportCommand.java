package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.ExitCode;
import dev.billingcli.catalog.Money;
import dev.billingcli.support.ReportService;
import dev.billingcli.support.ReportService.Report;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "report", description = "MRR and ARR by plan and currency (active and past_due subscriptions; yearly prices count 1/12 a month; "
        + "quantity applied; trialing, canceled, unpaid, paused and incomplete left out; discounts are not stored yet), subscriptions by "
        + "status, and the last 30 days' trials started and converted and churned subscriptions. From the database only; bars on a terminal.",
        footerHeading = "%nExamples:%n",
        footer = {"  billing report", "  billing -o json report"})
final class ReportCommand implements Callable<Integer> {
    /** The longest bar, in characters. */
    static final int BAR = 30;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        App app = Commands.app(spec);
        Report report = new ReportService(app.catalog(), app.database()).report(Instant.now());
        Output out = Commands.output(spec);
        if (out.json()) {
            out.json(report);
        } else {
            render(out, report, Commands.terminal(spec));
        }
        return ExitCode.OK;
    }

    /** The report as tables; with {@code bars} (a person at a terminal) each table ends with a bar column. */
    static void render(Output out, Report r, boolean bars) {
        out.line(out.bold("Recurring revenue") + " (active and past_due; yearly ÷ 12; × quantity; before discounts, which are not stored)");
        long maxMrr = r.revenue().stream().mapToLong(ReportService.Revenue::mrr).max().orElse(0);
        List<List<String>> rows = new ArrayList<>();
        for (ReportService.Revenue v : r.revenue()) {
            rows.add(withBar(Output.row(v.plan(), v.currency().toUpperCase(Locale.ROOT), v.subscriptions(), v.quantity(),
                    Money.format(v.mrr(), v.currency()), Money.format(v.arr(), v.currency())), bars, v.mrr(), maxMrr));
        }
        for (ReportService.Total t : r.totals()) {
            rows.add(withBar(Output.row("total", t.currency().toUpperCase(Locale.ROOT), t.subscriptions(), "",
                    Money.format(t.mrr(), t.currency()), Money.format(t.arr(), t.currency())), bars, 0, 0));
        }
        out.table(withBar(List.of("PLAN", "CURRENCY", "SUBSCRIPTIONS", "QUANTITY", "MRR", "ARR"), bars, 0, 0), rows);
        if (r.unpricedSubscriptions() > 0) {
            out.line(r.unpricedSubscriptions() + " paying subscription(s) have a price that is not in plans.yaml: not counted above.");
        }
        out.line("");
        out.line(out.bold("Subscriptions by status"));
        long maxCount = r.statuses().stream().mapToLong(ReportService.StatusCount::subscriptions).max().orElse(0);
        List<List<String>> statuses = new ArrayList<>();
        for (ReportService.StatusCount s : r.statuses()) {
            statuses.add(withBar(Output.row(s.status(), s.subscriptions()), bars, s.subscriptions(), maxCount));
        }
        if (statuses.isEmpty()) {
            out.line("none");
        } else {
            out.table(withBar(List.of("STATUS", "COUNT"), bars, 0, 0), statuses);
        }
        out.line("");
        ReportService.Activity a = r.activity();
        out.line(out.bold("Last " + a.days() + " days") + ": " + a.trialsStarted() + " trial(s) started, " + a.trialsConverted()
                + " trial(s) converted, " + a.churned() + " subscription(s) churned");
    }

    private static List<String> withBar(List<String> row, boolean bars, long value, long max) {
        if (!bars) {
            return row;
        }
        List<String> r = new ArrayList<>(row);
        r.add(max == 0 ? "" : bar(value, max));
        return r;
    }

    /** A bar of full blocks, proportional to {@code value / max}; at least one block for a value above zero. */
    static String bar(long value, long max) {
        if (value <= 0) {
            return "";
        }
        long n = Math.max(1, Math.round((double) value * BAR / max));
        return "█".repeat((int) n);
    }
}
