package dev.billingcli.store;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Credits move only through here: one ledger row per movement and the account's balance, in the
 * caller's transaction. Each movement has a source key, unique in the ledger, so a movement can
 * happen once whatever the number of deliveries or instances.
 */
public final class CreditLedger {
    private final Handle h;

    CreditLedger(Handle h) {
        this.h = h;
    }

    public record Entry(long delta, long balanceAfter, String reason, String source) {}

    /** Adds {@code delta}; false (and nothing changed) when {@code sourceKey} already moved credits. */
    public boolean grant(String accountId, long delta, String reason, String sourceKey) {
        long balance = lockBalance(accountId);
        return move(accountId, delta, balance + delta, reason, sourceKey);
    }

    /** Sets the balance to {@code amount} (a renewal); false when {@code sourceKey} was already used. */
    public boolean resetTo(String accountId, long amount, String reason, String sourceKey) {
        long balance = lockBalance(accountId);
        return move(accountId, amount - balance, amount, reason, sourceKey);
    }

    public long balance(String accountId) {
        return h.createQuery("select credit_balance from accounts where account_id = :a").bind("a", accountId)
                .mapTo(Long.class).findOne().orElse(0L);
    }

    public List<Entry> entries(String accountId) {
        return h.createQuery("select delta, balance_after, reason, source_event_id from credit_ledger where account_id = :a order by id")
                .bind("a", accountId)
                .map((rs, ctx) -> new Entry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4))).list();
    }

    /** The account row lock serialises movements of one account across instances. */
    private long lockBalance(String accountId) {
        return h.createQuery("select credit_balance from accounts where account_id = :a for update").bind("a", accountId)
                .mapTo(Long.class).findOne()
                .orElseThrow(() -> new IllegalStateException("no account " + accountId));
    }

    private boolean move(String accountId, long delta, long after, String reason, String sourceKey) {
        int inserted = h.createUpdate("""
                insert into credit_ledger (account_id, delta, balance_after, reason, source_event_id)
                values (:a, :d, :after, :r, :s) on conflict (source_event_id) do nothing""")
                .bind("a", accountId).bind("d", delta).bind("after", after).bind("r", reason).bind("s", sourceKey).execute();
        if (inserted == 0) {
            return false;
        }
        h.createUpdate("update accounts set credit_balance = :after, updated_at = now() where account_id = :a")
                .bind("after", after).bind("a", accountId).execute();
        return true;
    }
}
