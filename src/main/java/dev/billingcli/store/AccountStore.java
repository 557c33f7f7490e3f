package dev.billingcli.store;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The one place that writes {@code accounts} (credit balances excepted: {@link CreditLedger}). */
public final class AccountStore {
    private final Handle h;

    AccountStore(Handle h) {
        this.h = h;
    }

    public void ensure(String accountId) {
        h.createUpdate("insert into accounts (account_id) values (:a) on conflict (account_id) do nothing")
                .bind("a", accountId).execute();
    }

    /**
     * Links an account to its Stripe customer, creating the account if needed. An account keeps the
     * first customer it was linked to; a customer already linked to another account is an error
     * (the unique constraint says so, whichever instance got there first).
     */
    public void linkCustomer(String accountId, String customerId) {
        // Two first deliveries for one customer may race here. "on conflict do nothing" without a target
        // covers both unique keys (account id and customer id): the second waits for the first's commit
        // and then inserts nothing, instead of failing on the customer id's key.
        h.createUpdate("insert into accounts (account_id, stripe_customer_id) values (:a, :c) on conflict do nothing")
                .bind("a", accountId).bind("c", customerId).execute();
        if (customerId != null) {
            h.createUpdate("""
                    update accounts set stripe_customer_id = :c, updated_at = now()
                     where account_id = :a and stripe_customer_id is null
                       and not exists (select 1 from accounts o where o.stripe_customer_id = :c)""")
                    .bind("a", accountId).bind("c", customerId).execute();
            String owner = accountOfCustomer(customerId).orElse(accountId);
            if (!owner.equals(accountId)) {
                throw new IllegalStateException("Stripe customer " + customerId + " is linked to account " + owner + ", not " + accountId);
            }
        }
    }

    /** The account's email (from the Stripe customer: checkout, customer events, sync). */
    public void setEmail(String accountId, String email) {
        h.createUpdate("update accounts set email = :e, updated_at = now() where account_id = :a and email is distinct from :e")
                .bind("a", accountId).bind("e", email).execute();
    }

    public Optional<String> emailOf(String accountId) {
        return h.createQuery("select email from accounts where account_id = :a").bind("a", accountId).mapTo(String.class).findOne();
    }

    public Optional<String> accountOfCustomer(String customerId) {
        if (customerId == null) {
            return Optional.empty();
        }
        return h.createQuery("select account_id from accounts where stripe_customer_id = :c")
                .bind("c", customerId).mapTo(String.class).findOne();
    }

    /** Customer id → account id for the linked ones among these customers, in one query. */
    public java.util.Map<String, String> accountsOfCustomers(java.util.Collection<String> customerIds) {
        java.util.Map<String, String> found = new java.util.HashMap<>();
        if (!customerIds.isEmpty()) {
            h.createQuery("select stripe_customer_id, account_id from accounts where stripe_customer_id in (<ids>)")
                    .bindList("ids", java.util.List.copyOf(customerIds))
                    .map((rs, ctx) -> java.util.Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> found.put(e.getKey(), e.getValue()));
        }
        return found;
    }

    public Optional<String> customerOf(String accountId) {
        return h.createQuery("select stripe_customer_id from accounts where account_id = :a")
                .bind("a", accountId).mapTo(String.class).findOne();
    }

    /** Exit 2 for an account the database does not know: a typo must not act on (or create) anything. */
    public void require(String accountId) {
        if (!exists(accountId)) {
            throw dev.billingcli.BillingException.invalid("unknown account " + accountId
                    + " (accounts come from checkout, webhooks or sync: 'billing sync --account " + accountId + "' looks it up in Stripe)");
        }
    }

    /** Account ids starting with {@code prefix} (shell completion), sorted, at most {@code limit}. */
    public java.util.List<String> idsStartingWith(String prefix, int limit) {
        return h.createQuery("select account_id from accounts where account_id like :p escape '\\' order by account_id limit :n")
                .bind("p", prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%").bind("n", limit)
                .mapTo(String.class).list();
    }

    public boolean exists(String accountId) {
        return h.createQuery("select count(*) from accounts where account_id = :a").bind("a", accountId).mapTo(Long.class).one() > 0;
    }
}
