package dev.billingcli.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The one place that writes {@code sync_runs} and {@code sync_windows}: the checkpoints of a long read of a
 * Stripe list ({@code sync --all}, {@code events fetch}). A window's new state is written in the transaction
 * of the page that moved it, so the rows are always exactly what is left to read.
 */
public final class SyncRunStore {
    private final Handle h;

    SyncRunStore(Handle h) {
        this.h = h;
    }

    /** A window of {@code created} seconds left to read. @param lt null: no upper bound; @param startingAfter null: from its newest */
    public record WindowRow(long gte, Long lt, String startingAfter) {}

    /** A run: {@code kind} is {@code subscriptions} or {@code events}. */
    public record Run(long id, String kind, Instant since, Instant startedAt, Instant finishedAt, long pages, long rows) {}

    /** Starts a run with these windows; unfinished runs of the same kind are dropped (a fresh start replaces them). */
    public long start(String kind, Instant since, List<WindowRow> windows) {
        h.createUpdate("delete from sync_runs where kind = :k and finished_at is null").bind("k", kind).execute();
        long id = h.createQuery("insert into sync_runs (kind, since) values (:k, :since) returning id").bind("k", kind)
                .bind("since", since == null ? null : OffsetDateTime.ofInstant(since, ZoneOffset.UTC)).mapTo(Long.class).one();
        insert(id, windows);
        return id;
    }

    /** The newest run of this kind that has windows left, if any. */
    public Optional<Run> unfinished(String kind) {
        return h.createQuery("select * from sync_runs where kind = :k and finished_at is null order by id desc limit 1").bind("k", kind)
                .map((rs, ctx) -> new Run(rs.getLong("id"), rs.getString("kind"), instant(rs.getObject("since", OffsetDateTime.class)),
                        instant(rs.getObject("started_at", OffsetDateTime.class)), instant(rs.getObject("finished_at", OffsetDateTime.class)),
                        rs.getLong("pages"), rs.getLong("rows")))
                .findOne();
    }

    public List<WindowRow> windows(long run) {
        return h.createQuery("select created_gte, created_lt, starting_after from sync_windows where run_id = :r order by created_gte desc")
                .bind("r", run).map((rs, ctx) -> new WindowRow(rs.getLong(1), (Long) rs.getObject(2), rs.getString(3))).list();
    }

    /**
     * A page of window {@code gte} was written: the window is replaced by {@code next} (none: it is done).
     * Touches only the window's rows, so pages of other windows commit side by side.
     */
    public void advance(long run, long gte, List<WindowRow> next) {
        h.createUpdate("delete from sync_windows where run_id = :r and created_gte = :g").bind("r", run).bind("g", gte).execute();
        insert(run, next);
    }

    /**
     * The pages and rows this process wrote are added to the run's; marked finished when no window is left.
     * Returns whether it was.
     */
    public boolean finish(long run, long pages, long rows) {
        return h.createUpdate("""
                update sync_runs set pages = pages + :p, rows = rows + :n,
                       finished_at = case when exists (select 1 from sync_windows where run_id = :r) then null else now() end
                 where id = :r and finished_at is null""")
                .bind("r", run).bind("p", pages).bind("n", rows).execute() == 1
                && h.createQuery("select finished_at is not null from sync_runs where id = :r").bind("r", run).mapTo(Boolean.class).one();
    }

    private void insert(long run, List<WindowRow> windows) {
        if (windows.isEmpty()) {
            return;
        }
        var batch = h.prepareBatch("insert into sync_windows (run_id, created_gte, created_lt, starting_after) values (:r, :g, :l, :a)");
        for (WindowRow w : windows) {
            batch.bind("r", run).bind("g", w.gte()).bind("l", w.lt()).bind("a", w.startingAfter()).add();
        }
        batch.execute();
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
