package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.BillingException;
import dev.billingcli.ExitCode;
import dev.billingcli.catalog.Cycle;
import dev.billingcli.support.PriceMigration;
import dev.billingcli.support.PriceMigration.At;
import dev.billingcli.support.PriceMigration.Line;
import dev.billingcli.support.PriceMigration.Planned;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "prices", description = "Subscribers and the catalog's prices.", subcommands = PricesCommand.Migrate.class,
        footerHeading = "%nExamples:%n", footer = {"  billing prices migrate --plan pro --cycle monthly --dry-run"})
final class PricesCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "migrate", description = "Move the running subscriptions on archived prices of a plan and cycle (the prices stripe:setup "
            + "archived when plans.yaml changed the amount) to its current price: --at renewal (default) with proration_behavior=none, so "
            + "the next invoice is at the new price; --at now with create_prorations. Each subscription: one update of its item with an "
            + "idempotency key of the run's, checkpointed in the database and audited; one changed since the list (a newer webhook, "
            + "another price, a schedule) is skipped and reported. Paced by --rate; a stopped run (Ctrl-C, Stripe failing) goes on with "
            + "--resume and moves nobody twice. Exit 1 when Stripe lacks the current price or there is no run to resume, 2 for bad input "
            + "or an unfinished run without --resume, 3 when Stripe failed (resume later), 4 for a live key without --live, 130 when stopped.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing prices migrate --plan pro --cycle monthly --dry-run",
                    "  billing prices migrate --plan pro --cycle monthly --limit 10 --reason \"new price, first ten\"",
                    "  billing prices migrate --plan pro --cycle monthly --reason \"pro is 12.90 from January\"",
                    "  billing prices migrate --plan pro --cycle monthly --resume --reason \"pro is 12.90 from January\"",
                    "  billing -o json prices migrate --plan pro --cycle yearly --at now --rate 20 --reason \"price change\""})
    static final class Migrate implements Callable<Integer> {
        /** JSON lists at most this many subscriptions (the counts are always complete). */
        static final int JSON_SUBSCRIPTIONS = 1000;

        @Option(names = "--plan", paramLabel = "PLAN", required = true, completionCandidates = PlanIds.class,
                description = "A plan of plans.yaml with a recurring price.")
        String plan;

        @Option(names = "--cycle", paramLabel = "monthly|yearly", required = true, description = "Which of the plan's prices.")
        String cycle;

        @Option(names = "--from", paramLabel = "PRICE", description = "Only this archived price (price_…) [default: every archived price "
                + "of the plan and cycle managed by billing].")
        String from;

        @Option(names = "--at", paramLabel = "renewal|now", description = "When the new price takes effect: at the renewal (no "
                + "proration; the next invoice is at the new price) or now (prorated on the next invoice) [default: renewal; with "
                + "--resume, the run's].")
        String at;

        @Option(names = "--limit", paramLabel = "N", description = "Move at most N subscriptions this time (try a few first).")
        Integer limit;

        @Option(names = "--resume", description = "Go on with the run of this plan and cycle that stopped before it finished.")
        boolean resume;

        @Mixin
        WriteOptions write;

        @Mixin
        RateOption rate;

        @Spec
        CommandSpec spec;

        /** {@code -o json prices migrate}. Amounts in minor units of {@code currency}, for the subscription's quantity. */
        record Json(String runId, boolean resumed, boolean dryRun, String plan, String cycle, String at, String prorationBehavior, String toPrice,
                String currency, long newAmount, List<FromJson> fromPrices, int found, int moved, int skipped, int failed, int movedInRun,
                int notTaken, int listRequests, long elapsedMs, List<SubscriptionJson> subscriptions, boolean subscriptionsTruncated) {}

        record FromJson(String price, long amount) {}

        record SubscriptionJson(String subscription, String account, String fromPrice, int quantity, long oldAmount, long newAmount,
                Instant takesEffect, String outcome, String note) {}

        @Override
        public Integer call() {
            String why = write.reason();
            Cycle c = Cycle.fromKey(cycle);
            if (c == null || !c.recurring()) {
                throw BillingException.invalid("--cycle must be monthly or yearly, got " + cycle);
            }
            At when = at == null ? null : switch (at) {
                case "renewal" -> At.RENEWAL;
                case "now" -> At.NOW;
                default -> throw BillingException.invalid("--at must be renewal or now, got " + at);
            };
            App app = Commands.app(spec);
            rate.applyTo(app);
            Output out = Commands.output(spec);
            PrintWriter err = spec.commandLine().getErr();
            boolean terminal = Commands.terminal(spec) && !out.json();
            List<SubscriptionJson> subscriptions = new ArrayList<>();
            int[] lines = new int[1];
            ProgressBar[] bar = new ProgressBar[1];
            AtomicBoolean stop = new AtomicBoolean();
            List<Runnable> restore = StopSignals.install(() -> stop.set(true));
            PriceMigration.Result result;
            try {
                result = app.priceMigration().migrate(new PriceMigration.Request(plan, c, from, when, write.dryRun, limit, resume, why), stop,
                        new PriceMigration.Listener() {
                            @Override
                            public void planned(Planned p) {
                                if (!out.json()) {
                                    out.line(header(p));
                                }
                                if (terminal && !p.dryRun() && p.toMove() > 0) {
                                    bar[0] = TerminalProgress.start(err, app.settings().env("COLUMNS"), "prices migrate", " subscriptions", p.toMove());
                                }
                            }

                            @Override
                            public void done(Line l) {
                                synchronized (subscriptions) {
                                    lines[0]++;
                                    if (out.json()) {
                                        if (subscriptions.size() < JSON_SUBSCRIPTIONS) {
                                            subscriptions.add(new SubscriptionJson(l.subscriptionId(), l.accountId(), l.fromPriceId(), l.quantity(),
                                                    l.oldAmount(), l.newAmount(), l.takesEffect(), l.outcome().wire(), l.note()));
                                        }
                                        return;
                                    }
                                    if (bar[0] != null) {
                                        bar[0].pause();
                                    }
                                    out.line(line(l));
                                    if (bar[0] != null) {
                                        bar[0].resume();
                                        bar[0].step();
                                    }
                                }
                            }
                        });
            } finally {
                restore.forEach(Runnable::run);
                if (bar[0] != null) {
                    bar[0].close();
                }
            }
            Planned p = result.planned();
            if (out.json()) {
                out.json(new Json(p.runId(), p.resumed(), p.dryRun(), p.planId(), p.cycle(), p.at().wire(), p.at().prorationBehavior(), p.toPriceId(),
                        p.currency(), p.newAmount(), p.fromPrices().stream().map(o -> new FromJson(o.priceId(), o.amount())).toList(), p.found(),
                        result.moved(), result.skipped(), result.failed(), result.movedInRun(), result.notTaken(), p.listRequests(), result.elapsedMs(),
                        subscriptions, lines[0] > subscriptions.size()));
                return ExitCode.OK;
            }
            out.line(summary(result));
            return ExitCode.OK;
        }

        /** "pro monthly: 250 running subscription(s) on 1 archived price (price_… 9.90 EUR: 250) → price_… 12.90 EUR, at the renewal …" */
        static String header(Planned p) {
            String olds = p.fromPrices().isEmpty() ? "no archived price" : p.fromPrices().size() + " archived price(s) ("
                    + String.join(", ", p.fromPrices().stream().map(o -> o.priceId() + " " + PriceMigration.amount(o.amount(), o.currency())).toList()) + ")";
            return p.planId() + " " + p.cycle() + ": " + p.found() + " running subscription(s) on " + olds + " → " + p.toPriceId() + " "
                    + PriceMigration.amount(p.newAmount(), p.currency()) + ", " + (p.at() == At.NOW ? "now" : "at the renewal") + " (POST "
                    + "/v1/subscriptions/ID {items[0][id]=ITEM, items[0][price]=" + p.toPriceId() + ", items[0][quantity]=QUANTITY, proration_behavior="
                    + p.at().prorationBehavior() + "})" + (p.toMove() < p.found() ? "; " + p.toMove() + " this time (--limit)" : "")
                    + (p.resumed() ? "; resuming run " + p.runId() + " (" + p.movedBefore() + " moved before)" : "");
        }

        /** "sub_1 (acme)  9.90 EUR → 12.90 EUR  from 2026-12-31T10:00:00Z  moved" */
        static String line(Line l) {
            String quantity = l.quantity() != 1 ? " (× " + l.quantity() + ")" : "";
            return l.subscriptionId() + " (" + (l.accountId() != null ? l.accountId() : "no account") + ")  "
                    + PriceMigration.amount(l.oldAmount(), l.currency()) + " → " + PriceMigration.amount(l.newAmount(), l.currency()) + quantity
                    + "  from " + (l.takesEffect() != null ? l.takesEffect().toString() : "the renewal (date unknown)") + "  "
                    + l.outcome().wire().replace('_', ' ') + (l.note() != null ? ": " + l.note() : "");
        }

        static String summary(PriceMigration.Result r) {
            Planned p = r.planned();
            String secs = String.format(Locale.ROOT, "%.1f s", r.elapsedMs() / 1000.0);
            String rest = r.notTaken() > 0 ? "; " + r.notTaken() + " left for the next run" : "";
            if (p.dryRun()) {
                return "dry run: would move " + (p.toMove() - r.skipped()) + " subscription(s) to " + p.toPriceId() + ", " + r.skipped()
                        + " skipped" + rest + "; nothing sent (" + p.listRequests() + " list request(s), " + secs + ")";
            }
            return "moved " + r.moved() + " subscription(s) to " + p.toPriceId() + " " + PriceMigration.amount(p.newAmount(), p.currency()) + ", "
                    + r.skipped() + " skipped, " + r.failed() + " failed" + rest + "; run " + p.runId() + " moved " + r.movedInRun() + " in all ("
                    + p.listRequests() + " list request(s), " + secs + ")";
        }
    }
}
