package dev.billingcli.store;

import dev.billingcli.subscription.Subscription;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * Reads over many accounts at once: {@code accounts list} and {@code report}. Each filter has its index
 * (migrations V2, V4, V7); the expressions here repeat the indexed ones exactly, or PostgreSQL would not use them.
 */
public final class AccountQueries {
    /** Ended for good: an account's running subscription wins over these (the rule of {@code SubscriptionStore.currentOf}). */
    private static final String ENDED = "('canceled', 'incomplete_expired')";

    /**
     * {@code s} is its account's current subscription: no other of the account's subscriptions ranks before it
     * (running before ended, then newest first).
     */
    private static final String CURRENT = "not exists (select 1 from subscriptions o"
            + " where o.account_id = s.account_id and o.stripe_subscription_id <> s.stripe_subscription_id and ("
            + "(o.status in " + ENDED + ") < (s.status in " + ENDED + ") or ((o.status in " + ENDED + ") = (s.status in " + ENDED + ")"
            + " and (o.created_at, o.stripe_subscription_id) > (s.created_at, s.stripe_subscription_id))))";

    private final Handle h;

    AccountQueries(Handle h) {
        this.h = h;
    }

    /**
     * What to find; every non-null field narrows the list (AND). Times are absolute: the caller turns
     * "within 7d" into {@code [now, now + 7d)}.
     *
     * @param statuses empty for any
     * @param trialEndsBefore trialing, trial ending in {@code [now, trialEndsBefore)}
     * @param cancelsBefore a scheduled cancellation taking effect in {@code [now, cancelsBefore)}
     * @param since accounts created at or after
     * @param after the account id the previous page ended with (the cursor)
     */
    public record Filter(List<String> statuses, String planId, Instant trialEndsBefore, Instant cancelsBefore, boolean paused,
            Instant since, String after, int limit, Instant now) {
        boolean bySubscription() {
            return !statuses.isEmpty() || planId != null || trialEndsBefore != null || cancelsBefore != null || paused;
        }
    }

    /** One account and its current subscription (null when it has none). */
    public record Row(String accountId, String email, Instant createdAt, Subscription subscription) {}

    /**
     * Accounts newest first (created_at, then account id, descending), each with its current
     * subscription: the newest one still running, else the newest one. Subscription filters apply to
     * that current subscription only, so an account is listed once, by what it has now.
     */
    public List<Row> find(Filter f) {
        if (f.statuses().size() > 1) {
            // One query per status, each reading its index newest first for one page, merged here: PostgreSQL
            // plans "status in (…)" as a scan of every match and a sort (see bench/README.md).
            List<Row> all = new java.util.ArrayList<>();
            for (String status : f.statuses()) {
                all.addAll(find(new Filter(List.of(status), f.planId(), f.trialEndsBefore(), f.cancelsBefore(), f.paused(), f.since(),
                        f.after(), f.limit(), f.now())));
            }
            all.sort(java.util.Comparator.comparing(Row::createdAt).thenComparing(Row::accountId).reversed());
            return all.subList(0, Math.min(f.limit(), all.size()));
        }
        return query("", f).map((rs, ctx) -> new Row(rs.getString("listed_account"), rs.getString("listed_email"),
                SubscriptionStore.instant(rs, "listed_created_at"),
                rs.getString("stripe_subscription_id") == null ? null : SubscriptionStore.stored(rs).subscription()))
                .list();
    }

    private Query query(String prefix, Filter f) {
        StringBuilder sql = new StringBuilder(prefix).append("select a.account_id as listed_account, a.email as listed_email,"
                + " a.created_at as listed_created_at, ").append(prefixed(SubscriptionStore.COLUMNS));
        if (f.bySubscription()) {
            // The page's subscriptions come from the filter's index alone (it holds the sort key, the account's
            // creation time copied by V2's triggers, and what the current-subscription check needs), newest account
            // first. Only then are the page's rows and accounts read.
            StringBuilder page = new StringBuilder("select s.stripe_subscription_id as sid, s.account_created_at as ac, s.account_id as aid"
                    + " from subscriptions s where s.account_id is not null and " + CURRENT);
            if (!f.statuses().isEmpty()) {
                page.append(" and s.status = :status");
            }
            filters(page, f);
            sql.append(" from (").append(page).append(" order by ac desc, aid desc limit :limit) ids")
                    .append(" join subscriptions s on s.stripe_subscription_id = ids.sid join accounts a on a.account_id = ids.aid")
                    .append(" order by ids.ac desc, ids.aid desc");
        } else {
            sql.append(" from accounts a left join subscriptions s on s.account_id = a.account_id and ").append(CURRENT).append(" where true");
            if (f.since() != null) {
                sql.append(" and a.created_at >= :since");
            }
            if (f.after() != null) {
                sql.append(" and (a.created_at, a.account_id) < (select c.created_at, c.account_id from accounts c where c.account_id = :after)");
            }
            sql.append(" order by a.created_at desc, a.account_id desc limit :limit");
        }
        Query q = h.createQuery(sql.toString()).bind("limit", f.limit());
        if (f.statuses().size() == 1) {
            q.bind("status", f.statuses().get(0));
        }
        q.bind("plan", f.planId()).bind("now", SubscriptionStore.ts(f.now()))
                .bind("trialBefore", SubscriptionStore.ts(f.trialEndsBefore())).bind("cancelBefore", SubscriptionStore.ts(f.cancelsBefore()))
                .bind("since", SubscriptionStore.ts(f.since())).bind("after", f.after());
        return q;
    }

    /** The subscription filters on {@code s}, each the expression its index holds. */
    private static void filters(StringBuilder sql, Filter f) {
        if (f.planId() != null) {
            sql.append(" and s.plan_id = :plan");
        }
        if (f.trialEndsBefore() != null) {
            sql.append(" and s.status = 'trialing' and s.trial_end >= :now and s.trial_end < :trialBefore");
        }
        if (f.cancelsBefore() != null) {
            // V7's generated column and the predicate of its two partial indexes
            sql.append(" and s.cancels_at is not null and s.status not in ").append(ENDED)
                    .append(" and s.cancels_at >= :now and s.cancels_at < :cancelBefore");
        }
        if (f.paused()) {
            // Stripe's paused status (a trial ended without a payment method), or collection paused (pause): V7's index predicate
            sql.append(" and (s.status = 'paused' or s.pause_behavior is not null)");
        }
        if (f.since() != null) {
            sql.append(" and s.account_created_at >= :since");
        }
        if (f.after() != null) {
            sql.append(" and (s.account_created_at, s.account_id) < (select c.created_at, c.account_id from accounts c where c.account_id = :after)");
        }
    }

    /**
     * PostgreSQL's plan for {@link #find} with this filter, run for real ({@code explain analyze}): the
     * benchmark shows with it which index each filter uses.
     */
    public List<String> explain(Filter f) {
        if (f.statuses().size() > 1) {
            List<String> plans = new java.util.ArrayList<>();
            for (String status : f.statuses()) {
                plans.add("-- status " + status + " (one query per status, merged):");
                plans.addAll(explain(new Filter(List.of(status), f.planId(), f.trialEndsBefore(), f.cancelsBefore(), f.paused(), f.since(),
                        f.after(), f.limit(), f.now())));
            }
            return plans;
        }
        return query("explain (analyze, costs off, timing off, summary on) ", f).mapTo(String.class).list();
    }

    private static String prefixed(String columns) {
        StringBuilder sb = new StringBuilder();
        for (String c : columns.split(",")) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append("s.").append(c.strip());
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ the report

    /** Paying subscriptions (active, past_due) of one plan, interval and price lookup key. */
    /** @param currency the subscriptions' own currency, null for rows stored without it */
    public record PayingGroup(String planId, String interval, String lookupKey, String currency, long subscriptions, long quantity) {}

    public List<PayingGroup> paying() {
        return h.createQuery("""
                select plan_id, interval, price_lookup_key, currency, count(*) as n, coalesce(sum(quantity), 0) as q
                  from subscriptions where status in ('active', 'past_due')
                 group by plan_id, interval, price_lookup_key, currency
                 order by plan_id nulls last, interval nulls last, price_lookup_key nulls last, currency nulls last""")
                .map((rs, ctx) -> new PayingGroup(rs.getString("plan_id"), rs.getString("interval"), rs.getString("price_lookup_key"),
                        rs.getString("currency"), rs.getLong("n"), rs.getLong("q")))
                .list();
    }

    /** Subscriptions by status, every stored status (the ones with none are absent). */
    public Map<String, Long> countsByStatus() {
        Map<String, Long> counts = new LinkedHashMap<>();
        h.createQuery("select status, count(*) from subscriptions group by status order by status")
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    /** Trials that started in {@code [from, to)}. */
    public long trialsStarted(Instant from, Instant to) {
        return h.createQuery("select count(*) from subscriptions where trial_start is not null and trial_start >= :from and trial_start < :to")
                .bind("from", SubscriptionStore.ts(from)).bind("to", SubscriptionStore.ts(to)).mapTo(Long.class).one();
    }

    /** Trials that ended in {@code [from, to)} with the subscription now paying (active or past_due). */
    public long trialsConverted(Instant from, Instant to) {
        return h.createQuery("select count(*) from subscriptions where trial_end is not null and trial_end >= :from and trial_end < :to"
                        + " and status in ('active', 'past_due')")
                .bind("from", SubscriptionStore.ts(from)).bind("to", SubscriptionStore.ts(to)).mapTo(Long.class).one();
    }

    /** Subscriptions canceled that ended (ended_at, else canceled_at) in {@code [from, to)}. */
    public long churned(Instant from, Instant to) {
        return h.createQuery("select count(*) from subscriptions where status = 'canceled'"
                        + " and coalesce(ended_at, canceled_at) >= :from and coalesce(ended_at, canceled_at) < :to")
                .bind("from", SubscriptionStore.ts(from)).bind("to", SubscriptionStore.ts(to)).mapTo(Long.class).one();
    }
}
