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

    /**
     * {@link #linkCustomer} for many customers (customer id → account id) in three statements, accounts in id
     * order (two transactions linking overlapping accounts wait rather than deadlock, mostly). An account named
     * for several customers is linked to the first of them, as one call after another would.
     */
    public void linkCustomers(java.util.Map<String, String> accountOfCustomer) {
        if (accountOfCustomer.isEmpty()) {
            return;
        }
        java.util.Map<String, String> firstCustomer = new java.util.TreeMap<>();
        accountOfCustomer.forEach((c, a) -> firstCustomer.putIfAbsent(a, c));
        java.util.List<String> accounts = java.util.List.copyOf(firstCustomer.keySet());
        java.util.List<String> customers = java.util.List.copyOf(firstCustomer.values());
        h.createUpdate("insert into accounts (account_id, stripe_customer_id) select * from unnest(:a, :c) on conflict do nothing")
                .bindArray("a", String.class, accounts).bindArray("c", String.class, customers).execute();
        h.createUpdate("""
                update accounts a set stripe_customer_id = v.c, updated_at = now() from unnest(:a, :c) as v(a, c)
                 where a.account_id = v.a and a.stripe_customer_id is null
                   and not exists (select 1 from accounts o where o.stripe_customer_id = v.c)""")
                .bindArray("a", String.class, accounts).bindArray("c", String.class, customers).execute();
        accountsOfCustomers(accountOfCustomer.keySet()).forEach((customer, owner) -> {
            if (!owner.equals(accountOfCustomer.get(customer))) {
                throw new IllegalStateException("Stripe customer " + customer + " is linked to account " + owner + ", not "
                        + accountOfCustomer.get(customer));
            }
        });
    }

    /** Sets each account's email (account id → email) in one statement; see {@link #setEmail}. */
    public void setEmails(java.util.Map<String, String> emailOfAccount) {
        if (emailOfAccount.isEmpty()) {
            return;
        }
        h.createUpdate("""
                update accounts a set email = v.e, updated_at = now() from unnest(:a, :e) as v(a, e)
                 where a.account_id = v.a and a.email is distinct from v.e""")
                .bindArray("a", String.class, java.util.List.copyOf(emailOfAccount.keySet()))
                .bindArray("e", String.class, java.util.List.copyOf(emailOfAccount.values())).execute();
    }

    /** Account id → customer id for the linked ones among these accounts, in one query. */
    public java.util.Map<String, String> customersOf(java.util.Collection<String> accountIds) {
        java.util.Map<String, String> found = new java.util.HashMap<>();
        if (!accountIds.isEmpty()) {
            h.createQuery("select account_id, stripe_customer_id from accounts where account_id = any(:ids) and stripe_customer_id is not null")
                    .bindArray("ids", String.class, java.util.List.copyOf(accountIds))
                    .map((rs, ctx) -> java.util.Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> found.put(e.getKey(), e.getValue()));
        }
        return found;
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
            h.createQuery("select stripe_customer_id, account_id from accounts where stripe_customer_id = any(:ids)")
                    .bindArray("ids", String.class, java.util.List.copyOf(customerIds))
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
