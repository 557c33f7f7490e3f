package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.ExitCode;
import dev.billingcli.stripe.SubscriptionGateway;
import dev.billingcli.support.SyncService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sync", description = "Repair the database from Stripe after missed webhooks: every subscription (canceled ones "
        + "included), 100 per page, customers linked to accounts through metadata.account_id. Prints counts and, per account, "
        + "what changed; a progress bar on a terminal. --dry-run writes nothing.",
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

    @Option(names = "--dry-run", description = "Compare and report; write nothing.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        App app = Commands.app(spec);
        Output out = Commands.output(spec);
        SyncService sync = new SyncService(app.catalog(), app.database(), new SubscriptionGateway(app.stripe()));
        List<Object> changes = new ArrayList<>();
        boolean terminal = System.console() != null && !out.json();
        ProgressBar bar = terminal ? new ProgressBarBuilder().setTaskName(dryRun ? "sync (dry run)" : "sync").setInitialMax(-1)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" subscriptions", 1).continuousUpdate()
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build() : null;
        SyncService.Counts counts;
        long started = System.nanoTime();
        try {
            counts = sync.sync(scope.account, dryRun, c -> {
                if (c.kind() == SyncService.Kind.UNCHANGED) {
                    return;
                }
                if (out.json()) {
                    if (changes.size() < JSON_CHANGES) {
                        changes.add(changeJson(c));
                    }
                } else {
                    String what = c.kind() == SyncService.Kind.CREATED ? "added"
                            : String.join(", ", c.differences().stream().map(d -> d.field() + " " + SupportCommands.difference(d)).toList());
                    String line = (c.accountId() == null ? "(unlinked)" : c.accountId()) + ": " + c.subscriptionId() + " " + what;
                    if (bar != null) {
                        bar.pause();
                        System.err.print("\r");
                    }
                    out.line(line);
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
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("dryRun", dryRun);
            r.put("account", scope.account);
            r.put("created", counts.created());
            r.put("updated", counts.updated());
            r.put("unchanged", counts.unchanged());
            r.put("unlinked", counts.unlinked());
            r.put("listRequests", counts.listRequests());
            r.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
            r.put("changes", changes);
            r.put("changesTruncated", counts.created() + counts.updated() > changes.size());
            out.json(r);
        } else {
            out.line((dryRun ? "Dry run, nothing written: " : "") + counts.total() + " subscription(s) read in " + counts.listRequests()
                    + " request(s): " + counts.created() + " created, " + counts.updated() + " updated, " + counts.unchanged()
                    + " unchanged, " + counts.unlinked() + " unlinked (no account).");
        }
        return ExitCode.OK;
    }

    private static Map<String, Object> changeJson(SyncService.Change c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("account", c.accountId());
        m.put("subscription", c.subscriptionId());
        m.put("differences", SupportCommands.differencesJson(c.differences()));
        return m;
    }
}
