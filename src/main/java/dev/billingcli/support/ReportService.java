package dev.billingcli.support;

import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.Cycle;
import dev.billingcli.catalog.PlanPrice;
import dev.billingcli.store.AccountQueries;
import dev.billingcli.store.Database;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code report}: recurring revenue by plan and currency, subscriptions by status, and the last 30 days'
 * trials and churn, all from the database. The revenue rule: a subscription counts when it is paying now
 * (active or past_due; a scheduled cancellation still pays until it takes effect); trialing, canceled,
 * unpaid, paused, incomplete and pending ones do not. Its monthly amount is the catalog price of its
 * lookup key (else of its plan and interval) × quantity, a yearly price counting 1/12 a month. Discounts
 * are not stored in the database yet, so amounts are before discounts.
 */
public final class ReportService {
    public static final int WINDOW_DAYS = 30;

    private final Catalog catalog;
    private final Database database;

    public ReportService(Catalog catalog, Database database) {
        this.catalog = catalog;
        this.database = database;
    }

    /**
     * @param asOf when the report was made; the activity window is the {@code days} before it
     * @param revenue one row per plan and currency, in minor units
     * @param totals one row per currency
     * @param unpricedSubscriptions paying subscriptions whose price is not in plans.yaml (left out of the amounts)
     * @param discountsApplied false while the database does not store discounts
     */
    public record Report(Instant asOf, List<Revenue> revenue, List<Total> totals, long unpricedSubscriptions, boolean discountsApplied,
            List<StatusCount> statuses, Activity activity) {}

    /** @param mrr monthly recurring revenue in minor units (rounded half up once, from the exact sum); @param arr 12 × the exact MRR */
    public record Revenue(String plan, String currency, long subscriptions, long quantity, long mrr, long arr) {}

    public record Total(String currency, long subscriptions, long mrr, long arr) {}

    public record StatusCount(String status, long subscriptions) {}

    /**
     * @param trialsStarted trials that started in the window
     * @param trialsConverted trials that ended in the window and whose subscription is paying now
     * @param churned subscriptions canceled that ended in the window
     */
    public record Activity(int days, long trialsStarted, long trialsConverted, long churned) {}

    public Report report(Instant now) {
        Instant from = now.minus(Duration.ofDays(WINDOW_DAYS));
        record Read(List<AccountQueries.PayingGroup> paying, Map<String, Long> statuses, long started, long converted, long churned) {}
        Read read = database.read(tx -> {
            AccountQueries q = tx.accountQueries();
            return new Read(q.paying(), q.countsByStatus(), q.trialsStarted(from, now), q.trialsConverted(from, now), q.churned(from, now));
        });

        // plan → currency → [subscriptions, quantity, monthly minor units × 12 (exact: yearly amounts stay whole)]
        Map<String, Map<String, long[]>> sums = new LinkedHashMap<>();
        // every recurring plan of the catalog has its row, with zeros when nobody pays for it
        catalog.plans().values().stream().filter(p -> p.recurring()).forEach(p -> p.prices().values().stream()
                .filter(pr -> pr.cycle().recurring())
                .forEach(pr -> sums.computeIfAbsent(p.id(), k -> new LinkedHashMap<>()).computeIfAbsent(pr.currency(), k -> new long[3])));
        long unpriced = 0;
        for (AccountQueries.PayingGroup g : read.paying()) {
            Optional<PlanPrice> price = priceOf(g);
            if (price.isEmpty()) {
                unpriced += g.subscriptions();
                continue;
            }
            PlanPrice p = price.get();
            // the subscription's own currency (a price holds several); a row stored without one bills in the price's own
            String currency = g.currency() != null ? g.currency() : p.currency();
            Optional<Long> unit = p.amountIn(currency);
            if (unit.isEmpty()) {
                unpriced += g.subscriptions(); // a currency plans.yaml's price does not have (any more)
                continue;
            }
            long twelfths = p.cycle() == Cycle.YEARLY ? unit.get() * g.quantity() : unit.get() * g.quantity() * 12;
            long[] s = sums.computeIfAbsent(p.planId(), k -> new LinkedHashMap<>()).computeIfAbsent(currency, k -> new long[3]);
            s[0] += g.subscriptions();
            s[1] += g.quantity();
            s[2] += twelfths;
        }
        List<Revenue> revenue = new ArrayList<>();
        Map<String, long[]> byCurrency = new LinkedHashMap<>();
        sums.forEach((plan, currencies) -> currencies.forEach((currency, s) -> {
            revenue.add(new Revenue(plan, currency, s[0], s[1], monthly(s[2]), s[2]));
            long[] t = byCurrency.computeIfAbsent(currency, k -> new long[3]);
            for (int i = 0; i < 3; i++) {
                t[i] += s[i];
            }
        }));
        List<Total> totals = new ArrayList<>();
        byCurrency.forEach((currency, t) -> totals.add(new Total(currency, t[0], monthly(t[2]), t[2])));
        List<StatusCount> statuses = new ArrayList<>();
        read.statuses().forEach((status, n) -> statuses.add(new StatusCount(status, n)));
        return new Report(now, revenue, totals, unpriced, false, statuses,
                new Activity(WINDOW_DAYS, read.started(), read.converted(), read.churned()));
    }

    /** The catalog price of a paying group: its lookup key's, else its plan's for its interval. */
    private Optional<PlanPrice> priceOf(AccountQueries.PayingGroup g) {
        if (g.lookupKey() != null) {
            Optional<PlanPrice> byKey = catalog.priceByLookupKey(g.lookupKey());
            if (byKey.isPresent()) {
                return byKey;
            }
        }
        Cycle cycle = g.interval() == null ? null : Cycle.fromStripeInterval(g.interval());
        if (g.planId() == null || cycle == null || !cycle.recurring()) {
            return Optional.empty();
        }
        return catalog.plan(g.planId()).map(p -> p.price(cycle));
    }

    /** Twelve months' worth → one month, rounded half up to the minor unit. */
    private static long monthly(long twelfths) {
        return BigDecimal.valueOf(twelfths).divide(BigDecimal.valueOf(12), 0, RoundingMode.HALF_UP).longValueExact();
    }
}
