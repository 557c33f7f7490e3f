package dev.billingcli.cli;

import dev.billingcli.ExitCode;
import dev.billingcli.support.SupportService.PauseChange;
import dev.billingcli.support.SupportService.Request;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pause} and {@code resume}: a subscription's payment collection, thin adapters over the support service. */
final class PauseCommands {
    private PauseCommands() {}

    @Command(name = "pause", description = "Pause payment collection (Stripe's pause_collection): the subscription keeps its status and "
            + "renews, its invoices are voided, kept as drafts or marked uncollectible. Access: the plan until the end of the period "
            + "paid before the pause, then free until resumed. Audited; --dry-run shows the request and sends nothing. Exit 1 when "
            + "there is no running subscription, 2 for bad input, 4 for a live key without --live.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing pause --account acme --reason \"parental leave\"",
                    "  billing pause --account acme --until 2027-03-31 --behavior keep_as_draft --dry-run"})
    static final class Pause implements Callable<Integer> {
        @Mixin
        AccountOption account;

        @Option(names = "--until", paramLabel = "DATE", description = "Stripe resumes collection by itself after that day (UTC), or at an ISO time "
                + "[default: until 'billing resume'].")
        String until;

        @Option(names = "--behavior", paramLabel = "void|keep_as_draft|mark_uncollectible", defaultValue = "void",
                description = "What happens to invoices during the pause [default: void].")
        String behavior;

        @Mixin
        WriteOptions write;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String why = write.reason();
            Instant now = Instant.now();
            Instant end = until == null ? null : TimeArgs.until("--until", until);
            return print(spec, account.id, SupportCommands.service(spec).pause(account.id, behavior, end, why, write.dryRun, now));
        }
    }

    @Command(name = "resume", description = "Resume payment collection (unsets pause_collection): the next renewal is invoiced and "
            + "collected as usual; no charge now. Audited; --dry-run shows the request and sends nothing. Exit 0 with 'nothing to "
            + "resume' when collection is not paused, 1 when there is no running subscription, 4 for a live key without --live.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing resume --account acme --reason \"back from leave\"", "  billing resume --account acme --dry-run"})
    static final class Resume implements Callable<Integer> {
        @Mixin
        AccountOption account;

        @Mixin
        WriteOptions write;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String why = write.reason();
            return print(spec, account.id, SupportCommands.service(spec).resume(account.id, why, write.dryRun, Instant.now()));
        }
    }

    private static int print(CommandSpec spec, String account, PauseChange change) {
        Output out = Commands.output(spec);
        if (out.json()) {
            out.json(new PauseJson(account, change.sent(), change.message(), change.request(), Snapshot.of(change.before()),
                    Snapshot.of(change.after())));
            return ExitCode.OK;
        }
        SupportCommands.printAction(out, change.message(), change.sent(), change.request(), true);
        return ExitCode.OK;
    }

    /** {@code -o json pause} and {@code -o json resume}. */
    record PauseJson(String account, boolean sent, String message, Request request, Snapshot before, Snapshot after) {}

    /** The subscription's collection before and after. */
    record Snapshot(String id, String status, String plan, String pauseBehavior, Instant pauseResumesAt, Instant pausePaidUntil,
            Instant currentPeriodEnd) {
        static Snapshot of(dev.billingcli.subscription.Subscription s) {
            return s == null ? null : new Snapshot(s.id(), s.status(), s.planId(), s.pauseBehavior(), s.pauseResumesAt(), s.pausePaidUntil(),
                    s.currentPeriodEnd());
        }
    }
}
