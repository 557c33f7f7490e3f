package dev.billingcli.store;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The checkpoint of {@code billing prices migrate} (migration V6): its runs, and per run the subscriptions it took
 * up. A subscription is {@code sending} before its update goes to Stripe, and {@code moved} in the transaction that
 * writes Stripe's answer, so a run that stopped knows which requests it may have sent and which it did move.
 */
public final class PriceMigrationStore {
    private final Handle h;

    PriceMigrationStore(Handle h) {
        this.h = h;
    }

    /** @param fromPriceId {@code --from}, or null for every archived price of the plan and cycle; @param at {@code renewal} or {@code now} */
    public record Run(String runId, String planId, String cycle, String toPriceId, String fromPriceId, String at, String reason, String actor,
            Instant startedAt, Instant finishedAt) {}

    /** One subscription of a run: {@code sending}, {@code moved}, {@code skipped} or {@code failed}. */
    public record Move(String subscriptionId, String fromPriceId, String state, int attempt, String note) {}

    public void start(Run r) {
        h.createUpdate("""
                insert into price_migration_runs (run_id, plan_id, cycle, to_price_id, from_price_id, at, reason, actor)
                values (:run, :plan, :cycle, :to, :from, :at, :reason, :actor)""")
                .bind("run", r.runId()).bind("plan", r.planId()).bind("cycle", r.cycle()).bind("to", r.toPriceId())
                .bind("from", r.fromPriceId()).bind("at", r.at()).bind("reason", r.reason()).bind("actor", r.actor()).execute();
    }

    /** The newest run of this plan and cycle that did not finish (it was interrupted), if any. */
    public Optional<Run> unfinished(String planId, String cycle) {
        return h.createQuery("""
                select run_id, plan_id, cycle, to_price_id, from_price_id, at, reason, actor, started_at, finished_at
                  from price_migration_runs where plan_id = :plan and cycle = :cycle and finished_at is null
                 order by started_at desc limit 1""")
                .bind("plan", planId).bind("cycle", cycle)
                .map((rs, ctx) -> new Run(rs.getString("run_id"), rs.getString("plan_id"), rs.getString("cycle"), rs.getString("to_price_id"),
                        rs.getString("from_price_id"), rs.getString("at"), rs.getString("reason"), rs.getString("actor"),
                        SubscriptionStore.instant(rs, "started_at"), SubscriptionStore.instant(rs, "finished_at")))
                .findOne();
    }

    public void finish(String runId) {
        h.createUpdate("update price_migration_runs set finished_at = now() where run_id = :run and finished_at is null")
                .bind("run", runId).execute();
    }

    /** Every subscription the run took up so far, by subscription id. */
    public Map<String, Move> moves(String runId) {
        Map<String, Move> moves = new LinkedHashMap<>();
        h.createQuery("""
                select stripe_subscription_id, from_price_id, state, attempt, note from price_migration_moves
                 where run_id = :run order by stripe_subscription_id""")
                .bind("run", runId)
                .map((rs, ctx) -> new Move(rs.getString("stripe_subscription_id"), rs.getString("from_price_id"), rs.getString("state"),
                        rs.getInt("attempt"), rs.getString("note")))
                .forEach(m -> moves.put(m.subscriptionId(), m));
        return moves;
    }

    /**
     * Marks the subscription as about to be sent; returns the attempt its idempotency key names. A request that was
     * sent and never answered ({@code sending} already) keeps its attempt, so Stripe replays its answer; after a
     * known outcome (failed, skipped) the next send is a new attempt.
     */
    public int sending(String runId, String subscriptionId, String fromPriceId) {
        return h.createQuery("""
                insert into price_migration_moves (run_id, stripe_subscription_id, from_price_id, state)
                values (:run, :sub, :from, 'sending')
                on conflict (run_id, stripe_subscription_id) do update set
                    attempt = case when price_migration_moves.state = 'sending' then price_migration_moves.attempt
                                   else price_migration_moves.attempt + 1 end,
                    from_price_id = excluded.from_price_id, state = 'sending', note = null, updated_at = now()
                returning attempt""")
                .bind("run", runId).bind("sub", subscriptionId).bind("from", fromPriceId).mapTo(Integer.class).one();
    }

    /** The outcome of one subscription: {@code moved}, {@code skipped} or {@code failed}, with why. */
    public void record(String runId, String subscriptionId, String fromPriceId, String state, String note) {
        h.createUpdate("""
                insert into price_migration_moves (run_id, stripe_subscription_id, from_price_id, state, note)
                values (:run, :sub, :from, :state, :note)
                on conflict (run_id, stripe_subscription_id) do update set state = excluded.state, note = excluded.note, updated_at = now()""")
                .bind("run", runId).bind("sub", subscriptionId).bind("from", fromPriceId).bind("state", state).bind("note", note).execute();
    }
}
