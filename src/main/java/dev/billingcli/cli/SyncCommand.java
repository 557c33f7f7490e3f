package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.ExitCode;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.support.SyncService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sync", description = "Repair the database from Stripe after missed webhooks: every subscription (canceled ones "
        + "included), 100 per page, customers linked to accounts through metadata.account_id. Prints, per account, what changed, "
        + "then one summary line; a progress bar on a terminal. --dry-run writes nothing.",
        footerHeading = "%nExamples:%n",
        footer = {"  billing sync --all --dry-run", "  billing sync --account acme", "  billing -o json sync --all"})
final class SyncCommand implements Callable<Integer> {
    /** JSON lists at most this many changes (the counts are always complete). */
    static final int JSON_CHANGES = 1000;

    static final class Scope {
        @Option(names = "--account", paramLabel = "ID", description = "One account's subscriptions.")
        String account;

        @Option(names = "--all", description = "Every subscription in the Stripe account.")
        boolean all;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    @Mixin
    DryRunOption dryRun;

    @Mixin
    RateOption rate;

    @Spec
    CommandSpec spec;

    /** {@code -o json sync}. */
    record Json(boolean dryRun, String account, long created, long updated, long unchanged, long unlinked, int listRequests,
            long elapsedMs, List<ChangeJson> changes, boolean changesTruncated) {}

    record ChangeJson(String kind, String account, String subscription, List<Subscription.Difference> differences) {}

    @Override
    public Integer call() {
        App app = Commands.app(spec);
        rate.applyTo(app);
        Output out = Commands.output(spec);
        SyncService sync = app.syncService();
        List<ChangeJson> changes = new ArrayList<>();
        // the bar is for a person watching; piped or in JSON, the result lines and the summary say it all
        ProgressBar bar = Commands.terminal(spec) && !out.json()
                ? TerminalProgress.start(spec.commandLine().getErr(), app.settings().env("COLUMNS"),
                        dryRun.on ? "sync (dry run)" : "sync", " subscriptions")
                : null;
        SyncService.Counts counts;
        long started = System.nanoTime();
        try {
            counts = sync.sync(scope.account, dryRun.on, c -> {
                if (c.kind() == SyncService.Kind.UNCHANGED) {
                    return;
                }
                if (out.json()) {
                    if (changes.size() < JSON_CHANGES) {
                        changes.add(new ChangeJson(c.kind().name().toLowerCase(Locale.ROOT), c.accountId(), c.subscriptionId(),
                                c.differences()));
                    }
                } else {
                    if (bar != null) {
                        bar.pause();
                    }
                    out.line(line(c));
                    if (bar != null) {
                        bar.resume();
                    }
                }
            }, n -> {
                if (bar != null) {
                    bar.stepBy(n);
                }
            });
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        if (out.json()) {
            out.json(new Json(dryRun.on, scope.account, counts.created(), counts.updated(), counts.unchanged(), counts.unlinked(),
                    counts.listRequests(), (System.nanoTime() - started) / 1_000_000, changes,
                    counts.created() + counts.updated() > changes.size()));
        } else {
            out.line((dryRun.on ? "Dry run, nothing written: " : "") + counts.total() + " subscription(s) read in " + counts.listRequests()
                    + " request(s): " + counts.created() + " created, " + counts.updated() + " updated, " + counts.unchanged()
                    + " unchanged, " + counts.unlinked() + " unlinked (no account).");
        }
        return ExitCode.OK;
    }

    /** "acme: sub_1 status active → past_due" or "acme: sub_1 added". */
    private static String line(SyncService.Change c) {
        String what = c.kind() == SyncService.Kind.CREATED ? "added"
                : String.join(", ", c.differences().stream().map(d -> d.field() + " " + SupportCommands.difference(d)).toList());
        return (c.accountId() == null ? "(unlinked)" : c.accountId()) + ": " + c.subscriptionId() + " " + what;
    }
}
