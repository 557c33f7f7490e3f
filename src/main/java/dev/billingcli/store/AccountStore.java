package dev.billingcli.store;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The one place that writes {@code accounts} (credit balances excepted: {@link CreditLedger}). */
public final class AccountStore {
    private AccountStore() {}

    public static void ensure(Handle h, String accountId) {
        h.createUpdate("insert into accounts (account_id) values (:a) on conflict (account_id) do nothing")
                .bind("a", accountId).execute();
    }

    /**
     * Links an account to its Stripe customer, creating the account if needed. An account keeps the
     * first customer it was linked to; a customer already linked to another account is an error
     * (the unique constraint says so, whichever instance got there first).
     */
    public static void linkCustomer(Handle h, String accountId, String customerId) {
        if (customerId == null) {
            ensure(h, accountId);
            return;
        }
        h.createUpdate("""
                insert into accounts (account_id, stripe_customer_id) values (:a, :c)
                on conflict (account_id) do update
                   set stripe_customer_id = coalesce(accounts.stripe_customer_id, excluded.stripe_customer_id),
                       updated_at = now()
                 where accounts.stripe_customer_id is null""")
                .bind("a", accountId).bind("c", customerId).execute();
    }

    public static Optional<String> accountOfCustomer(Handle h, String customerId) {
        if (customerId == null) {
            return Optional.empty();
        }
        return h.createQuery("select account_id from accounts where stripe_customer_id = :c")
                .bind("c", customerId).mapTo(String.class).findOne();
    }

    /** Customer id → account id for the linked ones among these customers, in one query. */
    public static java.util.Map<String, String> accountsOfCustomers(Handle h, java.util.Collection<String> customerIds) {
        java.util.Map<String, String> found = new java.util.HashMap<>();
        if (!customerIds.isEmpty()) {
            h.createQuery("select stripe_customer_id, account_id from accounts where stripe_customer_id in (<ids>)")
                    .bindList("ids", java.util.List.copyOf(customerIds))
                    .map((rs, ctx) -> java.util.Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> found.put(e.getKey(), e.getValue()));
        }
        return found;
    }

    public static Optional<String> customerOf(Handle h, String accountId) {
        return h.createQuery("select stripe_customer_id from accounts where account_id = :a")
                .bind("a", accountId).mapTo(String.class).findOne();
    }

    public static boolean exists(Handle h, String accountId) {
        return h.createQuery("select count(*) from accounts where account_id = :a").bind("a", accountId).mapTo(Long.class).one() > 0;
    }
}
