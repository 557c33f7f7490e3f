package dev.billingcli.store;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The one place that writes {@code purchases} (Checkout in payment mode). */
public final class PurchaseStore {
    private final Handle h;

    PurchaseStore(Handle h) {
        this.h = h;
    }

    public record Purchase(String sessionId, String accountId, String customerId, String planId, Long amountTotal,
            String currency, String status) {
       public boolean paid() {
            return "paid".equals(status);
        }
    }

    /**
     * Records a purchase. A final status (paid, failed) is never taken back by a late-arriving earlier
     * event (a {@code checkout.session.completed} with {@code unpaid} after the async success).
     */
    public Purchase upsert(Purchase p) {
        return h.createQuery("""
                insert into purchases (stripe_checkout_session_id, account_id, stripe_customer_id, plan_id, amount_total, currency, status)
                values (:id, :a, :c, :plan, :amount, :cur, :status)
                on conflict (stripe_checkout_session_id) do update set
                    account_id = coalesce(purchases.account_id, excluded.account_id),
                    stripe_customer_id = coalesce(purchases.stripe_customer_id, excluded.stripe_customer_id),
                    plan_id = coalesce(purchases.plan_id, excluded.plan_id),
                    amount_total = coalesce(purchases.amount_total, excluded.amount_total),
                    currency = coalesce(purchases.currency, excluded.currency),
                    status = case when purchases.status in ('paid', 'failed') then purchases.status else excluded.status end,
                    updated_at = now()
                returning stripe_checkout_session_id, account_id, stripe_customer_id, plan_id, amount_total, currency, status""")
                .bind("id", p.sessionId()).bind("a", p.accountId()).bind("c", p.customerId()).bind("plan", p.planId())
                .bind("amount", p.amountTotal()).bind("cur", p.currency()).bind("status", p.status())
                .map((rs, ctx) -> new Purchase(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        (Long) rs.getObject(5), rs.getString(6), rs.getString(7)))
                .one();
    }

    public Optional<Purchase> find(String sessionId) {
        return h.createQuery("""
                select stripe_checkout_session_id, account_id, stripe_customer_id, plan_id, amount_total, currency, status
                from purchases where stripe_checkout_session_id = :id""").bind("id", sessionId)
                .map((rs, ctx) -> new Purchase(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        (Long) rs.getObject(5), rs.getString(6), rs.getString(7)))
                .findOne();
    }

    public void linkAccount(String customerId, String accountId) {
        h.createUpdate("update purchases set account_id = :a, updated_at = now() where stripe_customer_id = :c and account_id is null")
                .bind("a", accountId).bind("c", customerId).execute();
    }

    /** {@link #linkAccount} for many customers (customer id → account id) in one statement. */
    public void linkAccounts(java.util.Map<String, String> accountOfCustomer) {
        if (accountOfCustomer.isEmpty()) {
            return;
        }
        h.createUpdate("""
                update purchases p set account_id = v.a, updated_at = now() from unnest(:c, :a) as v(c, a)
                where p.stripe_customer_id = v.c and p.account_id is null""")
                .bindArray("c", String.class, java.util.List.copyOf(accountOfCustomer.keySet()))
                .bindArray("a", String.class, java.util.List.copyOf(accountOfCustomer.values())).execute();
    }
}
