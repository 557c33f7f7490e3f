package dev.billingcli.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.BillingException;
import dev.billingcli.ExitCode;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.Cycle;
import dev.billingcli.catalog.Money;
import dev.billingcli.catalog.Plan;
import dev.billingcli.catalog.PlanPrice;
import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.store.Database;
import dev.billingcli.store.PriceMigrationStore;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.stripe.CatalogGateway;
import dev.billingcli.stripe.CatalogGateway.StripePrice;
import dev.billingcli.stripe.StripeAccess;
import dev.billingcli.stripe.SubscriptionGateway;
import dev.billingcli.stripe.SubscriptionGateway.StripeState;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.subscription.SubscriptionStatus;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code billing prices migrate}: moves the subscriptions still on archived prices of one plan and cycle (prices
 * {@code stripe:setup} archived when plans.yaml changed the amount) to the current price of that plan and cycle.
 *
 * <ul>
 *   <li>Finds them with Stripe's subscription list ({@code price=} each archived managed price, {@code status=all}),
 *       keeping the running ones (not canceled, not incomplete_expired).</li>
 *   <li>Moves each with one update of its item ({@code items[0][id]}, the same quantity): at the renewal with
 *       {@code proration_behavior=none} (the next invoice is at the new price), or now with Stripe's default
 *       {@code create_prorations} (the rest of the period at the new price, on the next invoice).</li>
 *   <li>Checkpoints in the database (V6): each subscription is {@code sending} before its request and {@code moved}
 *       in the same transaction as Stripe's answer (through the ledger) and its audit row. The idempotency key is
 *       the run's and the subscription's, so a resumed run that sends an unanswered request again gets Stripe's first
 *       answer; a subscription already moved is no longer on the old price, so no run lists it again.</li>
 *   <li>Skips a subscription whose row in the database is newer than the list (a webhook told of a change since)
 *       or no longer on the old price, and one with a subscription schedule (whose phases set its price).</li>
 *   <li>Works on as many subscriptions at once as the process's Stripe rate allows in a second, all under the one
 *       rate limiter (which also backs off on 429s), so Stripe's latency is hidden and the rate is the limit.</li>
 * </ul>
 */
public final class PriceMigration {
    /** When the new price takes effect. */
    public enum At {
        RENEWAL, NOW;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public String prorationBehavior() {
            return this == NOW ? "create_prorations" : "none";
        }
    }

    /**
     * @param fromPriceId {@code --from}: only this archived price, or null for all of the plan and cycle
     * @param at null: the interrupted run's when resuming, else {@link At#RENEWAL}
     * @param limit at most this many subscriptions this time, or null for all
     */
    public record Request(String planId, Cycle cycle, String fromPriceId, At at, boolean dryRun, Integer limit, boolean resume, String reason) {}

    public enum Outcome {
        WOULD_MOVE, MOVED, SKIPPED, FAILED;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** An archived price and its amount, in minor units of {@code currency}. */
    public record OldPrice(String priceId, long amount, String currency) {}

    /**
     * One subscription: its old and new amount for its quantity (minor units) and when the new one takes effect.
     *
     * @param note why it was skipped or failed, or what else is worth knowing; null otherwise
     */
    public record Line(String subscriptionId, String accountId, String fromPriceId, int quantity, long oldAmount, long newAmount,
            String currency, Instant takesEffect, Outcome outcome, String note) {}

    /**
     * What the run is about to do, before it sends anything.
     *
     * @param found running subscriptions on the old prices now
     * @param toMove of those, the ones this run takes up now ({@code --limit})
     * @param movedBefore moved by this run before it was interrupted (with {@code --resume})
     */
    public record Planned(String runId, boolean resumed, boolean dryRun, String planId, String cycle, At at, String toPriceId, long newAmount,
            String currency, List<OldPrice> fromPrices, int found, int toMove, int movedBefore, int listRequests) {}

    /** @param movedInRun moved by the run in all, earlier attempts of a resumed run included */
    public record Result(Planned planned, int moved, int skipped, int failed, int movedInRun, int notTaken, long elapsedMs) {}

    /** What the command shows while the run goes: the plan once, then each subscription as it is done (from several threads). */
    public interface Listener {
        void planned(Planned planned);

        void done(Line line);
    }

    /** One subscription as the list showed it, at the list's time on Stripe's clock. */
    private record Candidate(String subscriptionId, String itemId, int quantity, String status, Instant periodEnd, String scheduleId,
            OldPrice from, Instant listedAt) {}

    /** What every subscription of a run shares. */
    private record Run(String runId, At at, StripePrice target, long newAmount) {}

    private static final String COMMAND = "prices migrate";
    private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);
    /** At most this many subscriptions in flight, whatever the rate (threads, and requests Stripe sees at once). */
    static final int MAX_PARALLEL = 32;

    private final Catalog catalog;
    private final Database database;
    private final Supplier<SubscriptionGateway> stripe;
    private final String actor;
    private final SubscriptionLedger ledger;

    public PriceMigration(Catalog catalog, Database database, Supplier<SubscriptionGateway> stripe, String actor) {
        this.catalog = catalog;
        this.database = database;
        this.stripe = stripe;
        this.actor = actor;
        this.ledger = new SubscriptionLedger(catalog, null);
    }

    /**
     * Runs (or resumes) a migration. {@code stop} set (Ctrl-C) lets the subscriptions in flight finish and stops
     * the run there: exit 130, and {@code --resume} goes on from where it stopped; Stripe or the network failing does
     * the same with exit 3.
     */
    public Result migrate(Request r, AtomicBoolean stop, Listener listener) {
        long started = System.nanoTime();
        Plan plan = catalog.plan(r.planId()).orElseThrow(() -> BillingException.invalid("unknown plan " + r.planId() + " (plans with prices: "
                + catalog.plans().values().stream().filter(p -> !p.prices().isEmpty()).map(Plan::id).collect(Collectors.joining(", ")) + ")"));
        PlanPrice price = plan.price(r.cycle());
        if (price == null || !r.cycle().recurring()) {
            throw BillingException.invalid("plan " + plan.id() + " has no " + r.cycle().key() + " recurring price (it has: "
                    + plan.prices().keySet().stream().filter(Cycle::recurring).map(Cycle::key).collect(Collectors.joining(", ")) + ")");
        }
        if (r.limit() != null && r.limit() < 1) {
            throw BillingException.invalid("--limit must be at least 1");
        }
        String what = plan.id() + " " + r.cycle().key();
        String resumeHint = "'billing prices migrate --plan " + plan.id() + " --cycle " + r.cycle().key() + " --resume'";
        PriceMigrationStore.Run earlier = null;
        if (r.resume()) {
            earlier = database.read(tx -> tx.priceMigrations().unfinished(plan.id(), r.cycle().key())).orElseThrow(() -> BillingException
                    .notFound("no interrupted 'prices migrate' run of " + what + " to resume (every run went through its list)"));
            if (r.at() != null && !r.at().wire().equals(earlier.at())) {
                throw BillingException.invalid("run " + earlier.runId() + " moves subscriptions " + (earlier.at().equals("now") ? "now" : "at the renewal")
                        + ": --resume goes on as it started (leave out --at)");
            }
            if (r.fromPriceId() != null && !r.fromPriceId().equals(earlier.fromPriceId())) {
                throw BillingException.invalid("run " + earlier.runId() + " moves " + (earlier.fromPriceId() == null ? "every archived price"
                        : earlier.fromPriceId()) + ": --resume goes on as it started (leave out --from)");
            }
        } else if (!r.dryRun()) {
            PriceMigrationStore.Run open = database.read(tx -> tx.priceMigrations().unfinished(plan.id(), r.cycle().key())).orElse(null);
            if (open != null) {
                long moved = database.read(tx -> tx.priceMigrations().moves(open.runId())).values().stream().filter(m -> m.state().equals("moved")).count();
                throw BillingException.invalid("run " + open.runId() + " of " + what + " stopped before it finished (" + moved
                        + " moved): " + resumeHint + " goes on with it");
            }
        }
        At at = r.at() != null ? r.at() : earlier != null ? At.valueOf(earlier.at().toUpperCase(Locale.ROOT)) : At.RENEWAL;
        String fromPriceId = r.fromPriceId() != null ? r.fromPriceId() : earlier != null ? earlier.fromPriceId() : null;

        SubscriptionGateway gateway = stripe.get();
        if (!r.dryRun()) {
            gateway.access().checkWritesAllowed(); // before the first request
        }
        CatalogGateway prices = new CatalogGateway(gateway.access());
        StripePrice target = prices.pricesByLookupKeys(List.of(price.lookupKey())).stream()
                .filter(p -> p.active() && price.lookupKey().equals(p.lookupKey())).findFirst()
                .orElseThrow(() -> BillingException.notFound("no active price with lookup key " + price.lookupKey() + " in Stripe: run 'billing stripe:setup'"));
        if (target.unitAmount() == null || target.unitAmount() != price.unitAmount() || !price.currency().equals(target.currency())) {
            throw BillingException.notFound("Stripe's " + price.lookupKey() + " (" + target.id() + ") is " + (target.unitAmount() == null ? "not a fixed amount"
                    : amount(target.unitAmount(), target.currency())) + ", plans.yaml says " + amount(price.unitAmount(), price.currency())
                    + ": run 'billing stripe:setup' first (it makes the new price and archives this one)");
        }
        if (earlier != null && !earlier.toPriceId().equals(target.id())) {
            throw BillingException.notFound("run " + earlier.runId() + " moved subscriptions to " + earlier.toPriceId() + ", but " + price.lookupKey()
                    + " is " + target.id() + " now: start a new run (without --resume)");
        }
        List<OldPrice> olds = new ArrayList<>();
        for (StripePrice p : prices.archivedPricesOf(target.productId())) {
            if (p.managed() && !p.active() && plan.id().equals(p.metadata().get("billing_plan")) && r.cycle().key().equals(p.metadata().get("billing_cycle"))
                    && !p.id().equals(target.id()) && p.unitAmount() != null) {
                olds.add(new OldPrice(p.id(), p.unitAmount(), p.currency()));
            }
        }
        Map<String, OldPrice> archived = olds.stream().collect(Collectors.toMap(OldPrice::priceId, o -> o, (a, b) -> a));
        if (fromPriceId != null) {
            List<OldPrice> all = olds;
            olds = olds.stream().filter(o -> o.priceId().equals(fromPriceId)).toList();
            if (olds.isEmpty()) {
                throw BillingException.invalid("--from " + fromPriceId + " is not an archived price of " + what + " managed by billing ("
                        + (all.isEmpty() ? "it has none" : "those are: " + all.stream().map(OldPrice::priceId).collect(Collectors.joining(", "))) + ")");
            }
        }

        // the list first, in full: the bar knows its total, and no page is read while its subscriptions move off it
        Map<String, Candidate> listed = new LinkedHashMap<>();
        int listRequests = 0;
        for (OldPrice old : olds) {
            listRequests += gateway.eachSubscriptionPageOnPrice(old.priceId(), page -> {
                for (JsonNode json : page.subscriptions()) {
                    Candidate c = candidate(json, old, page.asOf());
                    if (c != null) {
                        listed.putIfAbsent(c.subscriptionId(), c);
                    }
                }
            });
        }
        String runId = earlier != null ? earlier.runId() : "mig_" + RUN_TIME.format(Instant.now()) + "_"
                + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong(0x1000000L, 0x10000000L));
        Map<String, PriceMigrationStore.Move> before = earlier == null ? Map.of() : database.read(tx -> tx.priceMigrations().moves(runId));
        List<Candidate> candidates = new ArrayList<>(listed.values());
        // back on an old price after this run moved it (someone moved it back): this run moves nobody twice
        candidates.removeIf(c -> before.containsKey(c.subscriptionId()) && before.get(c.subscriptionId()).state().equals("moved"));
        int found = candidates.size();
        List<Candidate> toMove = r.limit() != null && r.limit() < candidates.size() ? candidates.subList(0, r.limit()) : candidates;
        int movedBefore = (int) before.values().stream().filter(m -> m.state().equals("moved")).count();
        long newAmount = target.unitAmount();
        Planned planned = new Planned(r.dryRun() ? null : runId, earlier != null, r.dryRun(), plan.id(), r.cycle().key(), at, target.id(), newAmount,
                target.currency(), olds, found, toMove.size(), movedBefore, listRequests);
        Run run = new Run(runId, at, target, newAmount);

        if (r.dryRun()) {
            listener.planned(planned);
            int skipped = 0;
            for (Candidate c : toMove) {
                SubscriptionStore.Stored row = database.read(tx -> tx.subscriptions().find(c.subscriptionId())).orElse(null);
                String why = whyNot(c, row);
                skipped += why != null ? 1 : 0;
                listener.done(line(c, row == null ? null : row.subscription().accountId(), run, why == null ? Outcome.WOULD_MOVE : Outcome.SKIPPED, why));
            }
            return new Result(planned, 0, skipped, 0, movedBefore, found - toMove.size(), (System.nanoTime() - started) / 1_000_000);
        }

        if (stop.get()) {
            throw new BillingException(ExitCode.INTERRUPTED, "stopped while listing the subscriptions on the old prices; nothing was sent");
        }
        if (earlier == null) {
            String reason = r.reason();
            database.useTransaction(tx -> tx.priceMigrations().start(new PriceMigrationStore.Run(runId, plan.id(), r.cycle().key(), target.id(),
                    fromPriceId, at.wire(), reason, actor, null, null)));
        }
        listener.planned(planned);
        AtomicInteger moved = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        java.util.function.Consumer<Line> count = l -> {
            (l.outcome() == Outcome.MOVED ? moved : l.outcome() == Outcome.SKIPPED ? skipped : failed).incrementAndGet();
            listener.done(l);
        };
        // sent before the run stopped and not on the old price any more: Stripe may have moved them; read and settle each
        for (PriceMigrationStore.Move m : before.values()) {
            if (m.state().equals("sending") && !listed.containsKey(m.subscriptionId())) {
                count.accept(settle(gateway, run, m, archived, r.reason()));
            }
        }

        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        AtomicInteger next = new AtomicInteger();
        int parallel = Math.max(1, Math.min(Math.min(MAX_PARALLEL, toMove.size()), (int) Math.ceil(gateway.access().rate())));
        ExecutorService workers = Executors.newFixedThreadPool(parallel, task -> {
            Thread t = new Thread(task, "prices-migrate");
            t.setDaemon(true);
            return t;
        });
        for (int w = 0; w < parallel; w++) {
            workers.execute(() -> {
                while (!stop.get() && failure.get() == null) {
                    int i = next.getAndIncrement();
                    if (i >= toMove.size()) {
                        return;
                    }
                    try {
                        count.accept(move(gateway, run, toMove.get(i), r.reason()));
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                }
            });
        }
        workers.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (workers.awaitTermination(1, TimeUnit.SECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true; // Ctrl-C in the shell: finish what is in flight, then stop
                stop.set(true);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        int movedInRun = movedBefore + moved.get();
        String progress = "moved " + movedInRun + " of " + (movedBefore + found) + " in run " + runId;
        if (failure.get() != null) {
            RuntimeException e = failure.get();
            throw new BillingException(ExitCode.SERVICE_FAILED, e.getMessage() + "; " + progress + " before it stopped: " + resumeHint
                    + " goes on from there", e);
        }
        if (stop.get() && next.get() < toMove.size()) {
            throw new BillingException(ExitCode.INTERRUPTED, "stopped: " + progress + "; " + resumeHint + " goes on from there");
        }
        database.useTransaction(tx -> tx.priceMigrations().finish(runId));
        return new Result(planned, moved.get(), skipped.get(), failed.get(), movedInRun, found - toMove.size(),
                (System.nanoTime() - started) / 1_000_000);
    }

    /** A running subscription with an item on the old price, as listed; null for one that ended. */
    private static Candidate candidate(JsonNode json, OldPrice old, Instant listedAt) {
        SubscriptionStatus status = SubscriptionStatus.of(json.path("status").asText(null));
        if (status != null && status.ended()) {
            return null;
        }
        for (JsonNode item : json.path("items").path("data")) {
            if (old.priceId().equals(item.path("price").path("id").asText())) {
                JsonNode end = item.path("current_period_end");
                JsonNode schedule = json.path("schedule");
                return new Candidate(json.path("id").asText(), item.path("id").asText(), item.path("quantity").isNumber() ? item.path("quantity").asInt() : 1,
                        json.path("status").asText(), end.isNumber() ? Instant.ofEpochSecond(end.asLong()) : null,
                        schedule.isTextual() ? schedule.asText() : schedule.isObject() ? schedule.path("id").asText() : null, old, listedAt);
            }
        }
        return null;
    }

    /**
     * Why the subscription is left as it is, or null to move it: its row in the database holds a state newer than the
     * list (a webhook told of a change since), or as new and on another price; or a subscription schedule sets its price.
     */
    private static String whyNot(Candidate c, SubscriptionStore.Stored row) {
        if (row != null && row.lastEventCreated() != null) {
            if (row.lastEventCreated().isAfter(c.listedAt())) {
                return "changed since the list: the database holds " + row.lastEventId() + " of " + row.lastEventCreated() + ", newer than the list ("
                        + c.listedAt() + ")";
            }
            String held = row.subscription().priceId();
            if (!row.lastEventCreated().isBefore(c.listedAt()) && held != null && !held.equals(c.from().priceId())) {
                return "no longer on " + c.from().priceId() + ": the database holds " + held + " (" + row.lastEventId() + ")";
            }
        }
        if (c.scheduleId() != null) {
            return "subscription schedule " + c.scheduleId() + " sets its price: release it ('billing change-plan --account … --cancel-scheduled') and run again";
        }
        return null;
    }

    private Line move(SubscriptionGateway gateway, Run run, Candidate c, String reason) {
        String runId = run.runId();
        String old = c.from().priceId();
        SubscriptionStore.Stored row = database.read(tx -> tx.subscriptions().find(c.subscriptionId())).orElse(null);
        String account = row == null ? null : row.subscription().accountId();
        String why = whyNot(c, row);
        if (why != null) {
            database.useTransaction(tx -> tx.priceMigrations().record(runId, c.subscriptionId(), old, "skipped", why));
            return line(c, account, run, Outcome.SKIPPED, why);
        }
        int attempt = database.inTransaction(tx -> tx.priceMigrations().sending(runId, c.subscriptionId(), old));
        SubscriptionGateway.PriceMove request = new SubscriptionGateway.PriceMove(c.subscriptionId(), c.itemId(), run.target().id(), c.quantity(),
                run.at() == At.NOW, idempotencyKey(runId, c.subscriptionId(), attempt));
        StripeState answer;
        try {
            answer = gateway.movePrice(request);
        } catch (BillingException e) {
            if (!StripeAccess.refusedRequest(e)) {
                throw e; // Stripe or the network failed: the row stays 'sending', and --resume sends it again with the same key
            }
            database.useTransaction(tx -> tx.priceMigrations().record(runId, c.subscriptionId(), old, "failed", e.getMessage()));
            return line(c, account, run, Outcome.FAILED, e.getMessage());
        }
        SubscriptionLedger.Result written = database.inTransaction(tx -> {
            SubscriptionLedger.Result res = ledger.apply(tx, SubscriptionLedger.Report.answer("prices-migrate", answer.requestId(), answer.asOf(),
                    answer.object()), audit(run, c, reason));
            tx.priceMigrations().record(runId, c.subscriptionId(), old, "moved", null);
            return res;
        });
        return line(c, written.accountId(), run, Outcome.MOVED, null);
    }

    /**
     * A subscription the interrupted run sent and that the list no longer shows on the old price: Stripe's state says
     * whether that request moved it (recorded and audited now) or something else changed it (skipped).
     */
    private Line settle(SubscriptionGateway gateway, Run run, PriceMigrationStore.Move m, Map<String, OldPrice> archived, String reason) {
        StripeState live = gateway.subscription(m.subscriptionId());
        JsonNode item = null;
        for (JsonNode i : live.object().path("items").path("data")) {
            if (run.target().id().equals(i.path("price").path("id").asText())) {
                item = i;
            }
        }
        Subscription now = ledger.read(live.object());
        OldPrice from = archived.getOrDefault(m.fromPriceId(), new OldPrice(m.fromPriceId(), 0, run.target().currency()));
        if (item == null) {
            String why = "changed while the run was stopped: on " + now.priceId() + " (" + now.status() + ") now";
            SubscriptionLedger.Result res = database.inTransaction(tx -> {
                SubscriptionLedger.Result written = ledger.apply(tx, SubscriptionLedger.Report.answer("prices-migrate", live.requestId(), live.asOf(),
                        live.object()));
                tx.priceMigrations().record(run.runId(), m.subscriptionId(), m.fromPriceId(), "skipped", why);
                return written;
            });
            Candidate c = new Candidate(m.subscriptionId(), null, now.quantity(), now.status(), now.currentPeriodEnd(), now.scheduleId(), from, live.asOf());
            return line(c, res.accountId(), run, Outcome.SKIPPED, why);
        }
        JsonNode end = item.path("current_period_end");
        Candidate c = new Candidate(m.subscriptionId(), item.path("id").asText(), now.quantity(), now.status(),
                end.isNumber() ? Instant.ofEpochSecond(end.asLong()) : null, now.scheduleId(), from, live.asOf());
        SubscriptionLedger.Result res = database.inTransaction(tx -> {
            SubscriptionLedger.Result written = ledger.apply(tx, SubscriptionLedger.Report.answer("prices-migrate", live.requestId(), live.asOf(),
                    live.object()), audit(run, c, reason));
            tx.priceMigrations().record(run.runId(), m.subscriptionId(), m.fromPriceId(), "moved", "moved by the request sent before the run stopped");
            return written;
        });
        return line(c, res.accountId(), run, Outcome.MOVED, "moved by the request sent before the run stopped");
    }

    /** One key per subscription and run (and attempt, after a known failure), reused by stripe-java's own retries. */
    static String idempotencyKey(String runId, String subscriptionId, int attempt) {
        return "billing-migrate-" + runId + "-" + subscriptionId + (attempt > 1 ? "-" + attempt : "");
    }

    private SubscriptionLedger.Audit audit(Run run, Candidate c, String reason) {
        Map<String, Object> before = new LinkedHashMap<>();
        before.put("price_id", c.from().priceId());
        before.put("unit_amount", c.from().amount());
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("price_id", run.target().id());
        after.put("unit_amount", run.newAmount());
        after.put("migration_run", run.runId());
        after.put("takes_effect", run.at() == At.NOW ? "now" : "at the renewal");
        return new SubscriptionLedger.Audit(actor, COMMAND, reason, before, after);
    }

    private static Line line(Candidate c, String accountId, Run run, Outcome outcome, String note) {
        Instant effect = run.at() == At.NOW ? Instant.now().truncatedTo(ChronoUnit.SECONDS) : c.periodEnd();
        return new Line(c.subscriptionId(), accountId, c.from().priceId(), c.quantity(), c.from().amount() * c.quantity(),
                run.newAmount() * c.quantity(), run.target().currency(), effect, outcome, note);
    }

    /** {@code 9.90 EUR}. */
    public static String amount(long minor, String currency) {
        return Money.format(minor, currency) + " " + currency.toUpperCase(Locale.ROOT);
    }
}
