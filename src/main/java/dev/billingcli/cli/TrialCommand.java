package dev.billingcli.cli;

import dev.billingcli.ExitCode;
import dev.billingcli.support.SupportService.Request;
import dev.billingcli.support.SupportService.TrialChange;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "trial", description = "A trialing subscription's trial: extend it.",
        subcommands = {TrialCommand.Extend.class},
        footerHeading = "%nExamples:%n",
        footer = {"  billing trial extend --account acme --days 7 --reason \"needs time to evaluate\"",
                "  billing trial extend --account acme --until 2026-12-31 --dry-run"})
final class TrialCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "extend", description = "Move a trialing subscription's trial end later, without prorations: no charge now, "
            + "the first invoice moves with it. Audited; --dry-run shows the request and sends nothing. Exit 1 when the "
            + "subscription is not trialing, 2 for bad input, 4 for a live key without --live.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing trial extend --account acme --days 7 --reason \"needs time to evaluate\"",
                    "  billing trial extend --account acme --until 2026-12-31 --dry-run"})
    static final class Extend implements Callable<Integer> {
        @Mixin
        AccountOption account;

        @Option(names = "--days", paramLabel = "N", description = "Days added to the current trial end.")
        Integer days;

        @Option(names = "--until", paramLabel = "DATE", description = "The new trial end: a date (the trial runs through that day, UTC) or an ISO time.")
        String until;

        @Mixin
        WriteOptions write;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String why = write.reason();
            Instant now = Instant.now();
            Instant end = until == null ? null : TimeArgs.until("--until", until);
            TrialChange change = SupportCommands.service(spec).extendTrial(account.id, days, end, why, write.dryRun, now);
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(new TrialJson(account.id, change.sent(), change.message(), change.newEnd(), change.request(),
                        SupportCommands.SubscriptionJson.of(change.before()), SupportCommands.SubscriptionJson.of(change.after())));
            } else {
                SupportCommands.printAction(out, change.message(), change.sent(), change.request(), true);
            }
            return ExitCode.OK;
        }
    }

    record TrialJson(String account, boolean sent, String message, Instant trialEnd, Request request,
            SupportCommands.SubscriptionJson before, SupportCommands.SubscriptionJson after) {}
}
