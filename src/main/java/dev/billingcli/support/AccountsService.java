package dev.billingcli.support;

import dev.billingcli.BillingException;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.Plan;
import dev.billingcli.store.AccountQueries;
import dev.billingcli.store.Database;
import dev.billingcli.subscription.EffectiveAccess;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.subscription.SubscriptionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code accounts list}: finds accounts in the database (never Stripe), newest first, a page at a time,
 * each with its current subscription and the access it gives now ({@link EffectiveAccess}, the rule
 * {@code status} uses).
 */
public final class AccountsService {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 1000;

    private final Catalog catalog;
    private final Database database;

    public AccountsService(Catalog catalog, Database database) {
        this.catalog = catalog;
        this.database = database;
    }

    /**
     * What to find; null or empty fields do not filter.
     *
     * @param statuses Stripe statuses (and this app's pending ones)
     * @param trialEndsWithin trialing, the trial ending within this span from now
     * @param cancelsWithin a scheduled cancellation taking effect within this span from now
     * @param paused status {@code paused}
     * @param after the last account of the previous page
     */
    public record Query(List<String> statuses, String plan, Duration trialEndsWithin, Duration cancelsWithin, boolean paused,
            Instant since, String after, int limit) {}

    /** A page: the accounts, and the account id to pass as {@code --after} for the next page (null on the last). */
    public record Page(List<AccountRow> accounts, String next) {}

    /**
     * One account. The subscription fields are null when the account has none.
     *
     * @param cancelsAt when a scheduled cancellation takes effect (cancel_at, else the period end)
     * @param effectivePlan the plan the account may use now; {@code accessReason} says why, {@code accessUntil} until when
     */
    public record AccountRow(String account, String email, Instant createdAt, String subscriptionId, String plan, String status,
            String interval, Integer quantity, Instant currentPeriodEnd, Instant trialEnd, Instant cancelsAt, String effectivePlan,
            String accessReason, Instant accessUntil) {}

    public Page list(Query q, Instant now) {
        List<String> statuses = q.statuses() == null ? List.of() : q.statuses();
        for (String s : statuses) {
            if (SubscriptionStatus.of(s) == null) {
                throw BillingException.invalid("--status: unknown status \"" + s + "\" (one of "
                        + String.join(", ", Arrays.stream(SubscriptionStatus.values()).map(SubscriptionStatus::wire).toList()) + ")");
            }
        }
        if (q.plan() != null && catalog.plan(q.plan()).isEmpty()) {
            throw BillingException.invalid("--plan: unknown plan \"" + q.plan() + "\" (plans.yaml has " + String.join(", ", catalog.plans().keySet()) + ")");
        }
        if (q.limit() < 1 || q.limit() > MAX_LIMIT) {
            throw BillingException.invalid("--limit must be between 1 and " + MAX_LIMIT + ", got " + q.limit());
        }
        if (q.after() != null && !database.read(tx -> tx.accounts().exists(q.after()))) {
            throw BillingException.invalid("--after: unknown account " + q.after() + " (pass the account a previous page ended with)");
        }
        // one more than asked: whether there is a next page
        AccountQueries.Filter filter = filter(q, now);
        List<AccountQueries.Row> rows = database.read(tx -> tx.accountQueries().find(filter));
        String free = catalog.freePlan().map(Plan::id).orElse(null);
        List<AccountRow> page = new ArrayList<>();
        for (AccountQueries.Row r : rows.subList(0, Math.min(q.limit(), rows.size()))) {
            page.add(row(r, free, now));
        }
        String next = rows.size() > q.limit() ? page.get(page.size() - 1).account() : null;
        return new Page(page, next);
    }

    /** The store's filter for a query, as {@link #list} builds it (the benchmark explains it). */
    public static AccountQueries.Filter filter(Query q, Instant now) {
        return new AccountQueries.Filter(q.statuses() == null ? List.of() : q.statuses(), q.plan(),
                q.trialEndsWithin() == null ? null : now.plus(q.trialEndsWithin()),
                q.cancelsWithin() == null ? null : now.plus(q.cancelsWithin()), q.paused(), q.since(), q.after(), q.limit() + 1, now);
    }

    private AccountRow row(AccountQueries.Row r, String freePlan, Instant now) {
        Subscription s = r.subscription();
        EffectiveAccess access = EffectiveAccess.of(s, freePlan, catalog.gracePeriodDays(), now);
        if (s == null) {
            return new AccountRow(r.accountId(), r.email(), r.createdAt(), null, null, null, null, null, null, null, null,
                    access.planId(), access.reason(), access.until());
        }
        return new AccountRow(r.accountId(), r.email(), r.createdAt(), s.id(), s.planId(), s.status(), s.interval(), s.quantity(),
                s.currentPeriodEnd(), s.trialEnd(), cancelsAt(s), access.planId(), access.reason(), access.until());
    }

    /** When a scheduled cancellation takes effect: the same expression as the {@code --cancels-within} index. */
    static Instant cancelsAt(Subscription s) {
        if (!s.running() || !(s.cancelAtPeriodEnd() || s.cancelAt() != null)) {
            return null;
        }
        return s.cancelAt() != null ? s.cancelAt() : s.currentPeriodEnd();
    }
}
