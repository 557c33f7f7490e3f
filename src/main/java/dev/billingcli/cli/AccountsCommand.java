package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.ExitCode;
import dev.billingcli.support.AccountsService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "accounts", description = "Find accounts in the database: by status, plan, trial end, scheduled cancellation, pause, age.",
        subcommands = {AccountsCommand.ListAccounts.class},
        footerHeading = "%nExamples:%n",
        footer = {"  billing accounts list --status past_due,unpaid", "  billing accounts list --trial-ends-within 7d --plan pro"})
final class AccountsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", description = "Accounts newest first, each with its current subscription and the access it gives now "
            + "(the rule status uses). From the database only; a page at a time (--limit), the next page with --after. "
            + "Filters combine (all must hold) and apply to each account's current subscription.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing accounts list --status past_due,unpaid", "  billing accounts list --trial-ends-within 7d",
                    "  billing accounts list --cancels-within 30d --plan business",
                    "  billing accounts list --since 2026-11-01 --limit 20 --after acme", "  billing -o json accounts list --paused"})
    static final class ListAccounts implements Callable<Integer> {
        @Option(names = "--status", split = ",", paramLabel = "S[,S…]",
                description = "Subscription statuses: active, trialing, past_due, unpaid, canceled, paused, incomplete, "
                        + "incomplete_expired, pending_payment, pending_bank_transfer.")
        List<String> statuses;

        @Option(names = "--plan", paramLabel = "PLAN", completionCandidates = PlanIds.class, description = "A plan of plans.yaml.")
        String plan;

        @Option(names = "--trial-ends-within", paramLabel = "SPAN", description = "Trialing, the trial ending within this span from now (7d, 48h).")
        String trialEndsWithin;

        @Option(names = "--cancels-within", paramLabel = "SPAN",
                description = "A scheduled cancellation (at the period end or at a date) taking effect within this span from now (30d).")
        String cancelsWithin;

        @Option(names = "--paused", description = "Subscriptions in Stripe's paused status.")
        boolean paused;

        @Option(names = "--since", paramLabel = "WHEN", description = "Accounts created since: a date (2026-11-01), an ISO time, or a span back (7d).")
        String since;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "" + AccountsService.DEFAULT_LIMIT,
                description = "At most N accounts, 1 to " + AccountsService.MAX_LIMIT + " [default: " + AccountsService.DEFAULT_LIMIT + "].")
        int limit;

        @Option(names = "--after", paramLabel = "ACCOUNT", description = "The next page: accounts after this one (the last of the previous page).")
        String after;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Instant now = Instant.now();
            AccountsService.Query query = new AccountsService.Query(statuses, plan,
                    trialEndsWithin == null ? null : TimeArgs.span("--trial-ends-within", trialEndsWithin),
                    cancelsWithin == null ? null : TimeArgs.span("--cancels-within", cancelsWithin), paused,
                    since == null ? null : TimeArgs.since("--since", since, now), after, limit);
            App app = Commands.app(spec);
            AccountsService.Page page = new AccountsService(app.catalog(), app.database()).list(query, now);
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(page);
                return ExitCode.OK;
            }
            if (page.accounts().isEmpty()) {
                out.line(after == null ? "No accounts match." : "No more accounts after " + after + ".");
                return ExitCode.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            for (AccountsService.AccountRow a : page.accounts()) {
                rows.add(Output.row(a.account(), SupportCommands.day(a.createdAt()), a.plan() == null ? "–" : a.plan(),
                        a.status() == null ? "–" : a.status(), cycle(a), dates(a), access(a)));
            }
            out.table(List.of("ACCOUNT", "CREATED", "PLAN", "STATUS", "CYCLE", "TRIAL END / CANCELS", "ACCESS"), rows);
            if (page.next() != null) {
                out.line("More: the same command with --after " + page.next());
            }
            return ExitCode.OK;
        }

        private static String cycle(AccountsService.AccountRow a) {
            if (a.interval() == null) {
                return "–";
            }
            String c = a.interval().equals("month") ? "monthly" : a.interval().equals("year") ? "yearly" : a.interval();
            return a.quantity() != null && a.quantity() != 1 ? c + " × " + a.quantity() : c;
        }

        private static String dates(AccountsService.AccountRow a) {
            List<String> parts = new ArrayList<>();
            if ("trialing".equals(a.status()) && a.trialEnd() != null) {
                parts.add("trial ends " + SupportCommands.day(a.trialEnd()));
            }
            if (a.cancelsAt() != null) {
                parts.add("cancels " + SupportCommands.day(a.cancelsAt()));
            }
            return parts.isEmpty() ? "–" : String.join(", ", parts);
        }

        private static String access(AccountsService.AccountRow a) {
            String plan = a.effectivePlan() == null ? "none" : a.effectivePlan();
            return plan + " (" + a.accessReason() + (a.accessUntil() != null ? ", until " + SupportCommands.day(a.accessUntil()) : "") + ")";
        }
    }
}
