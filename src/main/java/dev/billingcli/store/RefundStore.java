package dev.billingcli.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Refunds of an account's payments, one row per Stripe refund, whoever told us first: {@code refund} (with
 * Stripe's answer) or the {@code refund.created} / {@code refund.updated} events. Stripe does not order events,
 * so a row keeps the furthest status it has seen: pending or requires_action, then succeeded, then failed or
 * canceled (a succeeded refund can still fail: Stripe then returns the money to the balance). A repeated or
 * older report changes nothing.
 */
public final class RefundStore {
    private final Handle h;

    RefundStore(Handle h) {
        this.h = h;
    }

    /** One refund. @param invoiceId null when not known (a refund made outside billing) */
    public record Refund(String id, String accountId, String invoiceId, String payment, long amount, String currency, String status,
            Instant created) {}

    /** How far a status is (a row never goes back): pending or requires_action 0, succeeded 1, failed or canceled 2. */
    private static final String RANK = "case %s when 'succeeded' then 1 when 'failed' then 2 when 'canceled' then 2 else 0 end";
    /** The reported status is further than the one held. */
    private static final String FURTHER = "(" + RANK.formatted("excluded.status") + " > " + RANK.formatted("refunds.status") + ")";

    /**
     * Records a refund, or moves a known one's status forward. @param source {@code refund} or the event id
     *
     * @return true when a row was inserted or changed
     */
    public boolean record(Refund r, String source) {
        int n = h.createUpdate("insert into refunds (refund_id, account_id, invoice_id, payment, amount, currency, status, created_at, recorded_from)"
                        + " values (:id, :account, :invoice, :payment, :amount, :currency, :status, :created, :source)"
                        + " on conflict (refund_id) do update set"
                        + " status = case when " + FURTHER + " then excluded.status else refunds.status end,"
                        + " amount = case when " + FURTHER + " then excluded.amount else refunds.amount end,"
                        + " invoice_id = coalesce(refunds.invoice_id, excluded.invoice_id), updated_at = now()"
                        + " where " + FURTHER
                        + " or (refunds.invoice_id is null and excluded.invoice_id is not null)")
                .bind("id", r.id()).bind("account", r.accountId()).bind("invoice", r.invoiceId()).bind("payment", r.payment())
                .bind("amount", r.amount()).bind("currency", r.currency()).bind("status", r.status())
                .bind("created", SubscriptionStore.ts(r.created())).bind("source", source).execute();
        return n > 0;
    }

    public Optional<Refund> find(String id) {
        return h.createQuery("select * from refunds where refund_id = :id").bind("id", id).map((rs, ctx) -> row(rs)).findOne();
    }

    /** The account a payment's earlier refund was recorded for (a refund made outside billing names none). */
    public Optional<String> accountOfPayment(String payment) {
        return h.createQuery("select account_id from refunds where payment = :p limit 1").bind("p", payment).mapTo(String.class).findOne();
    }

    /** The account's refunds, newest first. */
    public List<Refund> of(String accountId, int limit) {
        return h.createQuery("select * from refunds where account_id = :a order by created_at desc, refund_id desc limit :n")
                .bind("a", accountId).bind("n", limit).map((rs, ctx) -> row(rs)).list();
    }

    private static Refund row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Refund(rs.getString("refund_id"), rs.getString("account_id"), rs.getString("invoice_id"), rs.getString("payment"),
                rs.getLong("amount"), rs.getString("currency"), rs.getString("status"), SubscriptionStore.instant(rs, "created_at"));
    }
}
