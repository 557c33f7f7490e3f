package dev.billingcli.support;

import dev.billingcli.store.Database;
import dev.billingcli.subscription.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Eleven accounts with known subscriptions, written through the stores, for {@code accounts list} and
 * {@code report}. Account {@code aNN} was created {@code 12 - NN} days before {@link #now}, so the list's
 * newest-first order is a11 … a01. The hand-computed numbers are in the tests that use it.
 */
final class AccountsFixture {
    final Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    private final Database db;

    AccountsFixture(Database db) {
        this.db = db;
    }

    Instant days(long n) {
        return now.plus(Duration.ofDays(n));
    }

    void seed() {
        // acme: pro monthly × 1, active
        account(1, sub("a01", "pro", "pro_monthly", "month", 1, "active", -10, 20, false, null, null, null, null, null));
        // pro yearly × 2, active
        account(2, sub("a02", "pro", "pro_yearly", "year", 2, "active", -100, 265, false, null, null, null, null, null));
        // business monthly × 3, past_due: the period ended a day ago, inside the 3-day grace
        account(3, sub("a03", "business", "business_monthly", "month", 3, "past_due", -31, -1, false, null, null, null, null, null));
        // business yearly × 1, active, cancels at the period end in 20 days
        account(4, sub("a04", "business", "business_yearly", "year", 1, "active", -345, 20, true, null, null, null, null, null));
        // pro monthly, trialing since 5 days, the trial ends in 3 days
        account(5, sub("a05", "pro", "pro_monthly", "month", 1, "trialing", -5, 3, false, null, null, null, -5, 3));
        // pro monthly, canceled 10 days ago (churned in the window)
        account(6, sub("a06", "pro", "pro_monthly", "month", 1, "canceled", -40, -10, false, null, -10, -10, null, null));
        // business monthly, unpaid
        account(7, sub("a07", "business", "business_monthly", "month", 1, "unpaid", -20, 10, false, null, null, null, null, null));
        // pro monthly, paused
        account(8, sub("a08", "pro", "pro_monthly", "month", 1, "paused", -20, 10, false, null, null, null, null, null));
        // no subscription at all
        account(9);
        // pro monthly, active after a trial that ended 6 days ago (converted); an older business subscription, canceled 40 days ago
        account(10, sub("a10old", "business", "business_monthly", "month", 1, "canceled", -70, -40, false, null, -40, -40, null, null),
                sub("a10", "pro", "pro_monthly", "month", 1, "active", -6, 24, false, null, null, null, -20, -6));
        // a price plans.yaml does not know (sold before the catalog changed): paying, but not priced
        account(11, sub("a11", "legacy", "legacy_monthly", "month", 1, "active", -5, 25, false, null, null, null, null, null));
    }

    private Subscription sub(String id, String plan, String lookupKey, String interval, int quantity, String status, long periodStart,
            long periodEnd, boolean cancelAtPeriodEnd, Integer cancelAt, Integer canceledAt, Integer endedAt, Integer trialStart, Integer trialEnd) {
        return new Subscription("sub_" + id, null, "cus_" + id.substring(0, 3), plan, "price_" + lookupKey, lookupKey, interval, quantity,
                status, days(periodStart), days(periodEnd), cancelAtPeriodEnd, at(cancelAt), at(canceledAt), at(endedAt), at(trialStart),
                at(trialEnd), null, null, null, null, null, Map.of(), null);
    }

    private Instant at(Integer daysFromNow) {
        return daysFromNow == null ? null : days(daysFromNow);
    }

    private void account(int n, Subscription... subscriptions) {
        String id = String.format("a%02d", n);
        db.useTransaction(tx -> {
            tx.accounts().linkCustomer(id, "cus_" + id);
            tx.accounts().setEmail(id, id + "@example.test");
            for (Subscription s : subscriptions) {
                tx.subscriptions().insertIfAbsent(s.withAccount(id), now, "evt_fixture_" + s.id());
            }
        });
        // creation times as the fixture says, not the second the rows were written
        db.jdbi().useHandle(h -> {
            h.createUpdate("update accounts set created_at = :t where account_id = :a").bind("t", days(n - 12)).bind("a", id).execute();
            int i = 0;
            for (Subscription s : subscriptions) {
                h.createUpdate("update subscriptions set created_at = :t where stripe_subscription_id = :s")
                        .bind("t", days(n - 12).plusSeconds(i++)).bind("s", s.id()).execute();
            }
        });
    }
}
