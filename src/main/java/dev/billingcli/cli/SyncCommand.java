package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.BillingException;
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
        + "included), 100 per page, customers linked to accounts through metadata.account_id. --all reads windows of creation "
        + "time in parallel at the Stripe rate (--rate) and checkpoints each page: after a crash or Ctrl-C, --resume continues "
        + "where it stopped. Prints, per account, what changed, then one summary line; a progress bar with rows/s and ETA on "
        + "a terminal. --dry-run writes nothing.",
        footerHeading = "%nExamples:%n",
        footer = {"  billing sync --all --dry-run", "  billing sync --account acme", "  billing sync --all --rate 25",
            "  billing sync --all --resume", "  billing -o json sync --all"})
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

    @Option(names = "--resume", description = "With --all: continue the interrupted sync --all from its checkpoints "
            + "(a full sync when there is none).")
    boolean resume;

    @Mixin
    RateOption rate;

    @Spec
    CommandSpec spec;

    /** {@code -o json sync}. */
    record Json(boolean dryRun, String account, boolean resumed, long created, long updated, long unchanged, long unlinked,
            int listRequests, int pages, int windows, long elapsedMs, long rowsPerSecond, List<ChangeJson> changes,
            boolean changesTruncated) {}

    record ChangeJson(String kind, String account, String subscription, List<Subscription.Difference> differences) {}

    @Override
    public Integer call() {
        if (resume && scope.account != null) {
            throw BillingException.invalid("--resume continues an interrupted sync --all; it does not go with --account");
        }
        if (resume && dryRun.on) {
            throw BillingException.invalid("--resume continues an interrupted sync --all; a dry run keeps no checkpoints to resume");
        }
        App app = Commands.app(spec);
        rate.applyTo(app);
        app.databasePoolSize(app.syncWriters() + 1); // --all writes pages side by side
        Output out = Commands.output(spec);
        SyncService sync = app.syncService();
        List<ChangeJson> changes = new ArrayList<>();
        // the bar is for a person watching; piped or in JSON, the result lines and the summary say it all. Its
        // total, for the ETA, is what the database holds (a repair finds about as many); unknown on a first sync.
        ProgressBar bar = Commands.terminal(spec) && !out.json()
                ? TerminalProgress.start(spec.commandLine().getErr(), app.settings().env("COLUMNS"),
                        dryRun.on ? "sync (dry run)" : "sync", " subscriptions", scope.account == null ? sync.known() : -1)
                : null;
        SyncService.Counts counts;
        long started = System.nanoTime();
        try {
            counts = sync.sync(scope.account, dryRun.on, resume, c -> {
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
                    if (bar.getMax() > 0 && bar.getCurrent() > bar.getMax()) {
                        bar.maxHint(-1); // more than the database held: no ETA
                    }
                }
            });
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        long perSecond = counts.total() * 1000 / Math.max(1, elapsedMs);
        if (out.json()) {
            out.json(new Json(dryRun.on, scope.account, counts.resumed(), counts.created(), counts.updated(), counts.unchanged(),
                    counts.unlinked(), counts.listRequests(), counts.pages(), counts.windows(), elapsedMs, perSecond, changes,
                    counts.created() + counts.updated() > changes.size()));
        } else {
            out.line((dryRun.on ? "Dry run, nothing written: " : "") + (counts.resumed() ? "Resumed: " : "") + counts.total()
                    + " subscription(s) read in " + counts.listRequests() + " request(s): " + counts.created() + " created, "
                    + counts.updated() + " updated, " + counts.unchanged() + " unchanged, " + counts.unlinked() + " unlinked (no account); "
                    + String.format(Locale.ROOT, "%.1f", elapsedMs / 1000.0) + " s, " + perSecond + " rows/s.");
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
