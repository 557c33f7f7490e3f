package dev.billingcli.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.subscription.ScheduledChange;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Update;

/**
 * The one place that writes {@code subscriptions}. Every write of a Stripe state carries the event it
 * came from; the SQL itself refuses to replace a state with one from an older event (the event's
 * {@code created} second), so no code path can move a row backwards. Ties within one second are
 * settled by the caller under the row lock ({@link #lock}); see {@code webhook.SubscriptionOrdering}.
 */
public final class SubscriptionStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String COLUMNS = """
            stripe_subscription_id, account_id, stripe_customer_id, plan_id, price_id, price_lookup_key, interval, quantity,
            status, current_period_start, current_period_end, cancel_at_period_end, cancel_at, canceled_at, ended_at,
            trial_start, trial_end, pause_behavior, pause_resumes_at, pause_paid_until, schedule_id, scheduled_plan, scheduled_cycle, scheduled_quantity, scheduled_at,
            metadata, last_event_created, last_event_id, currency""";

    private final Handle h;
    /**
     * Rows {@link #lockAhead} locked in this transaction, as they stand now: {@link #lock} answers from here
     * and {@link #replace} of such a row only notes its new state in {@link #deferred}, written by
     * {@link #flush} in one statement. Any other statement of this store flushes first, and one that writes
     * a row itself takes it out of here (a later lock reads it again).
     */
    private final Map<String, Stored> held = new java.util.HashMap<>();
    /** Ids {@link #lockAhead} found no row for: {@link #lock} answers empty without asking again (until a write here). */
    private final java.util.Set<String> absent = new java.util.HashSet<>();
    private final Map<String, Stored> deferred = new LinkedHashMap<>();

    SubscriptionStore(Handle h) {
        this.h = h;
    }

    /** A row and the event whose state it holds (both null for a row made from a checkout session alone). */
    public record Stored(Subscription subscription, Instant lastEventCreated, String lastEventId) {}

    /** Inserts the state when no row exists yet; false (nothing written) when one does. */
    public boolean insertIfAbsent(Subscription s, Instant eventCreated, String eventId) {
        written(s.id());
        Update u = h.createUpdate(INSERT_IF_ABSENT);
        return bind(u, s).bind("created", eventCreated).bind("event", eventId).execute() == 1;
    }

    private static final String INSERT_IF_ABSENT = "insert into subscriptions (" + COLUMNS + ") values (:id, :account, :customer, :plan,"
            + " :price, :lookup, :interval, :quantity, :status, :ps, :pe, :cape, :ca, :canceled, :ended, :ts, :te, :pb, :pr, :pp, :sched, :splan, :scycle, :sqty, :sat,"
            + " cast(:metadata as jsonb), :created, :event, :currency) on conflict (stripe_subscription_id) do nothing";

    /**
     * {@link #insertIfAbsent} for many rows in one statement (sync writes a page's new rows this way).
     *
     * @return the ids inserted; a row that exists (inserted meanwhile by another transaction) is left alone
     */
    public java.util.Set<String> insertAllIfAbsent(List<Subscription> subscriptions, Instant eventCreated, String eventId) {
        java.util.Set<String> inserted = new java.util.HashSet<>();
        if (subscriptions.isEmpty()) {
            return inserted;
        }
        flush();
        held.clear();
        absent.clear();
        try (PreparedStatement st = Jdbc.prepare(h, INSERT_ALL)) {
            bindColumns(st, subscriptions.stream().map(x -> new Stored(x, eventCreated, eventId)).toList());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new Jdbc.Failed(e);
        }
        return inserted;
    }

    /** The 29 text arrays of {@link #bindColumns}, as the rows {@code v} of {@link #REPLACE_ALL} and {@link #INSERT_ALL}. */
    private static final String UNNEST = """
            unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                    ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                    ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                as v(id, account, customer, plan, price, lookup, interval, quantity, status, ps, pe, cape, ca, canceled, ended, ts, te,
                    pb, pr, pp, sched, splan, scycle, sqty, sat, metadata, currency, created, event)""";

    private static final String INSERT_ALL = "insert into subscriptions (" + COLUMNS + """
            )
            select v.id, v.account, v.customer, v.plan, v.price, v.lookup, v.interval, v.quantity::int, v.status, v.ps::timestamptz,
                v.pe::timestamptz, v.cape::boolean, v.ca::timestamptz, v.canceled::timestamptz, v.ended::timestamptz, v.ts::timestamptz,
                v.te::timestamptz, v.pb, v.pr::timestamptz, v.pp::timestamptz, v.sched, v.splan, v.scycle, v.sqty::int, v.sat::timestamptz,
                v.metadata::jsonb, v.created::timestamptz, v.event, v.currency
            from\s""" + UNNEST + """

            on conflict (stripe_subscription_id) do nothing
            returning stripe_subscription_id""";

    /** The row, locked until the transaction ends: events of one subscription apply one at a time, across instances. */
    public Optional<Stored> lock(String id) {
        Stored known = held.get(id);
        if (known != null) {
            return Optional.of(known);
        }
        if (absent.contains(id)) {
            return Optional.empty();
        }
        try (PreparedStatement st = Jdbc.prepare(h, LOCK)) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(stored(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new Jdbc.Failed(e);
        }
    }

    private static final String LOCK = "select " + COLUMNS + " from subscriptions where stripe_subscription_id = ? for update";

    /**
     * Locks and reads the existing rows among these ids in one round trip, in id order (so two transactions
     * locking overlapping sets cannot deadlock on them), for the {@link #lock} calls this transaction makes
     * next: group commit applies the events of several subscriptions in one transaction. Their
     * {@link #replace}s are written by {@link #flush}, before the transaction commits. The ids without a row are
     * remembered too: locking them finds nothing without asking again (an insert that meets a row inserted meanwhile
     * by another transaction forgets that, so the ledger's second {@link #lock} reads the row).
     */
    public void lockAhead(java.util.Collection<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        flush();
        try (PreparedStatement st = Jdbc.prepare(h, "select " + COLUMNS
                + " from subscriptions where stripe_subscription_id = any(?) order by stripe_subscription_id for update")) {
            st.setArray(1, h.getConnection().createArrayOf("text", ids.toArray()));
            absent.addAll(ids);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Stored row = stored(rs);
                    held.put(row.subscription().id(), row);
                    absent.remove(row.subscription().id());
                }
            }
        } catch (SQLException e) {
            throw new Jdbc.Failed(e);
        }
    }

    /**
     * {@link #lockAhead} and {@link EventStore#outcomesOf} in one round trip (group commit's first statement): locks and
     * reads the rows among {@code ids}, and returns the stored outcomes among {@code eventIds}. Both parts read one
     * snapshot, taken before the lock waits: an event another transaction stored while this one waited for its row is
     * not seen here, and its insert at the end is what finds it ({@link #flushStoring}).
     */
    Map<String, String> lockAheadFindingStored(java.util.Collection<String> ids, java.util.Collection<String> eventIds) {
        flush();
        // PostgreSQL planned this statement anew at every execution (pg_prepared_statements: 0 generic plans in 2,960):
        // a custom plan for a few ids looks cheaper than the generic one, and the planning cost more than the run.
        // The setting goes in the same round trip (pgjdbc sends both statements at once) and ends with the group's
        // transaction, whose other statements (the handlers', the write) are look-ups by key as well.
        Map<String, String> outcomes = new java.util.HashMap<>();
        try (PreparedStatement st = Jdbc.prepare(h, "set local plan_cache_mode = force_generic_plan;\n" + LOCK_AND_FIND_STORED)) {
            st.setArray(1, h.getConnection().createArrayOf("text", eventIds.toArray()));
            st.setArray(2, h.getConnection().createArrayOf("text", ids.toArray()));
            absent.addAll(ids);
            for (boolean rows = st.execute(); !rows; rows = st.getMoreResults()) {
                if (st.getUpdateCount() == -1) {
                    throw new IllegalStateException("the lock statement returned no rows");
                }
            }
            try (ResultSet rs = st.getResultSet()) {
                while (rs.next()) {
                    String event = rs.getString("stored_event_id");
                    if (event != null) {
                        outcomes.put(event, rs.getString("stored_outcome"));
                        continue;
                    }
                    Stored row = stored(rs);
                    held.put(row.subscription().id(), row);
                    absent.remove(row.subscription().id());
                }
            }
        } catch (SQLException e) {
            throw new Jdbc.Failed(e);
        }
        return outcomes;
    }

    /** The events' rows and the subscriptions' rows as one result: a full join on false keeps each row once, the other side null. */
    private static final String LOCK_AND_FIND_STORED = "with e as (" + EventStore.OUTCOMES + "),\n"
            + "    s as (select " + COLUMNS + " from subscriptions where stripe_subscription_id = any(?)"
            + " order by stripe_subscription_id for update)\n"
            + "select e.event_id as stored_event_id, e.outcome as stored_outcome, s.* from s full join e on false";

    /**
     * {@link #flush} and {@link EventStore#storeAll} in one statement (group commit's last): the states deferred in this
     * transaction and the events.
     *
     * @return the ids of the events stored; one missing was stored by another transaction first
     */
    Set<String> flushStoring(List<EventStore.NewEvent> events) {
        if (events.isEmpty() && deferred.isEmpty()) {
            return Set.of();
        }
        int n = deferred.size();
        List<Stored> rows = List.copyOf(deferred.values());
        deferred.clear();
        Set<String> stored = new java.util.HashSet<>();
        try (PreparedStatement st = Jdbc.prepare(h, FLUSH_STORING)) {
            st.setArray(30, bindColumns(st, rows));
            EventStore.bindEvents(st, 31, h.getConnection(), events);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                if (rs.getLong(1) != n) {
                    throw new IllegalStateException("the ordering guard refused a state the ordering rule chose");
                }
                for (Object id : (Object[]) rs.getArray(2).getArray()) {
                    stored.add((String) id);
                }
            }
        } catch (SQLException e) {
            throw new Jdbc.Failed(e);
        }
        return stored;
    }

    private static final String FLUSH_STORING = "with u as (" + SubscriptionStore.REPLACE_ALL + " returning 1),\n    i as (" + EventStore.INSERT_EVENTS + ")\n"
            + "select (select count(*) from u), array(select event_id from i)";

    public Optional<Stored> find(String id) {
        flush();
        return h.createQuery("select " + COLUMNS + " from subscriptions where stripe_subscription_id = :id")
                .bind("id", id).map((rs, ctx) -> stored(rs)).findOne();
    }

    /** The stored rows among these ids, in one query (sync reads a page of 100 this way). */
    public Map<String, Stored> findAll(java.util.Collection<String> ids) {
        flush();
        Map<String, Stored> found = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        h.createQuery("select " + COLUMNS + " from subscriptions where stripe_subscription_id in (<ids>)")
                .bindList("ids", List.copyOf(ids)).map((rs, ctx) -> stored(rs))
                .forEach(st -> found.put(st.subscription().id(), st));
        return found;
    }

    /** The account's newest subscription. */
    /** Subscription rows in the database (sync's estimate of what Stripe will list). */
    public long count() {
        return h.createQuery("select count(*) from subscriptions").mapTo(Long.class).one();
    }

    public Optional<Subscription> latestOf(String accountId) {
        flush();
        return h.createQuery("select " + COLUMNS + " from subscriptions where account_id = :a order by created_at desc limit 1")
                .bind("a", accountId).map((rs, ctx) -> stored(rs).subscription()).findOne();
    }

    /**
     * The account's current subscription: its newest one still running (not canceled, not expired), or
     * else its newest one. An older running subscription wins over a newer ended one.
     */
    public Optional<Subscription> currentOf(String accountId) {
        flush();
        return h.createQuery("select " + COLUMNS + " from subscriptions where account_id = :a"
                        + " order by (status in ('canceled', 'incomplete_expired')), created_at desc limit 1")
                .bind("a", accountId).map((rs, ctx) -> stored(rs).subscription()).findOne();
    }

    /**
     * Replaces the stored state with the state of an event. The guard: never from an event older than
     * the one the row holds (equal is allowed: the caller has settled the tie under the lock).
     *
     * @return false when the guard refused
     */
    public boolean replace(Subscription s, Instant eventCreated, String eventId) {
        Stored known = held.get(s.id());
        if (known != null) {
            // the row is locked and known: the guard is checked here, the write waits for flush()
            if (known.lastEventCreated() != null && known.lastEventCreated().isAfter(eventCreated)) {
                return false;
            }
            Stored next = new Stored(s.accountId() != null ? s : s.withAccount(known.subscription().accountId()), eventCreated, eventId);
            held.put(s.id(), next);
            deferred.put(s.id(), next);
            return true;
        }
        flush();
        ScheduledChange sc = s.scheduledChange();
        try (PreparedStatement st = Jdbc.prepare(h, REPLACE)) {
            int i = 0;
            st.setString(++i, s.accountId());
            st.setString(++i, s.customerId());
            st.setString(++i, s.planId());
            st.setString(++i, s.priceId());
            st.setString(++i, s.priceLookupKey());
            st.setString(++i, s.interval());
            st.setInt(++i, s.quantity());
            st.setString(++i, s.status());
            st.setObject(++i, ts(s.currentPeriodStart()));
            st.setObject(++i, ts(s.currentPeriodEnd()));
            st.setBoolean(++i, s.cancelAtPeriodEnd());
            st.setObject(++i, ts(s.cancelAt()));
            st.setObject(++i, ts(s.canceledAt()));
            st.setObject(++i, ts(s.endedAt()));
            st.setObject(++i, ts(s.trialStart()));
            st.setObject(++i, ts(s.trialEnd()));
            st.setString(++i, s.pauseBehavior());
            st.setObject(++i, ts(s.pauseResumesAt()));
            st.setObject(++i, ts(s.pausePaidUntil()));
            st.setString(++i, s.scheduleId());
            st.setString(++i, sc == null ? null : sc.planId());
            st.setString(++i, sc == null ? null : sc.cycle());
            st.setObject(++i, sc == null ? null : sc.quantity(), java.sql.Types.INTEGER);
            st.setObject(++i, sc == null ? null : ts(sc.at()));
            st.setString(++i, json(s.metadata()));
            st.setString(++i, s.currency());
            st.setObject(++i, ts(eventCreated));
            st.setString(++i, eventId);
            st.setString(++i, s.id());
            st.setObject(++i, ts(eventCreated));
            return st.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new Jdbc.Failed(e);
        }
    }

    /** A statement that writes this row itself: what is deferred goes first, and the row is read again when locked. */
    private void written(String id) {
        flush();
        held.remove(id);
        absent.remove(id);
    }

    /** Writes the states {@link #replace} deferred, in one statement (group commit calls it before its events are stored). */
    public void flush() {
        if (deferred.isEmpty()) {
            return;
        }
        int n = deferred.size();
        List<Stored> rows = List.copyOf(deferred.values());
        deferred.clear();
        try (PreparedStatement st = Jdbc.prepare(h, REPLACE_ALL)) {
            st.setArray(30, bindColumns(st, rows));
            if (st.executeUpdate() != n) {
                throw new IllegalStateException("the ordering guard refused a state the ordering rule chose");
            }
        } catch (SQLException e) {
            throw new Jdbc.Failed(e);
        }
    }

    /**
     * Binds the rows, column by column, as the 29 text arrays of {@link #UNNEST}; returns the ids' array, which
     * {@link #REPLACE_ALL} takes once more.
     */
    private java.sql.Array bindColumns(PreparedStatement st, List<Stored> rows) throws SQLException {
        String[][] v = new String[29][rows.size()];
        int k = 0;
        for (Stored d : rows) {
            Subscription s = d.subscription();
            ScheduledChange sc = s.scheduledChange();
            String[] row = {s.id(), s.accountId(), s.customerId(), s.planId(), s.priceId(), s.priceLookupKey(), s.interval(),
                    Integer.toString(s.quantity()), s.status(), text(s.currentPeriodStart()), text(s.currentPeriodEnd()),
                    Boolean.toString(s.cancelAtPeriodEnd()), text(s.cancelAt()), text(s.canceledAt()), text(s.endedAt()),
                    text(s.trialStart()), text(s.trialEnd()), s.pauseBehavior(), text(s.pauseResumesAt()), text(s.pausePaidUntil()),
                    s.scheduleId(), sc == null ? null : sc.planId(), sc == null ? null : sc.cycle(),
                    sc == null ? null : Integer.toString(sc.quantity()), sc == null ? null : text(sc.at()), json(s.metadata()),
                    s.currency(), text(d.lastEventCreated()), d.lastEventId()};
            for (int c = 0; c < row.length; c++) {
                v[c][k] = row[c];
            }
            k++;
        }
        java.sql.Array ids = null;
        for (int c = 0; c < v.length; c++) {
            java.sql.Array a = h.getConnection().createArrayOf("text", v[c]);
            st.setArray(c + 1, a);
            ids = c == 0 ? a : ids;
        }
        return ids;
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    /**
     * The rows' own ids once more ({@code = any(…)}): without them a generic plan (pgjdbc prepares the statement on the
     * server) joined the unnest with a sequential scan of the table, about 10 rows estimated for the unnest.
     */
    private static final String REPLACE_ALL = """
            update subscriptions s set
                account_id = coalesce(v.account, s.account_id), stripe_customer_id = v.customer, plan_id = v.plan, price_id = v.price,
                price_lookup_key = v.lookup, interval = v.interval, quantity = v.quantity::int, status = v.status,
                current_period_start = v.ps::timestamptz, current_period_end = v.pe::timestamptz, cancel_at_period_end = v.cape::boolean,
                cancel_at = v.ca::timestamptz, canceled_at = v.canceled::timestamptz, ended_at = v.ended::timestamptz,
                trial_start = v.ts::timestamptz, trial_end = v.te::timestamptz, pause_behavior = v.pb,
                pause_resumes_at = v.pr::timestamptz, pause_paid_until = v.pp::timestamptz, schedule_id = v.sched,
                scheduled_plan = v.splan, scheduled_cycle = v.scycle, scheduled_quantity = v.sqty::int, scheduled_at = v.sat::timestamptz,
                metadata = v.metadata::jsonb, currency = v.currency, last_event_created = v.created::timestamptz, last_event_id = v.event, updated_at = now()
            from\s""" + UNNEST + """

            where s.stripe_subscription_id = v.id and (s.last_event_created is null or s.last_event_created <= v.created::timestamptz)
              and s.stripe_subscription_id = any(?::text[])""";

    private static final String REPLACE = """
            update subscriptions set
                account_id = coalesce(?, account_id), stripe_customer_id = ?, plan_id = ?, price_id = ?,
                price_lookup_key = ?, interval = ?, quantity = ?, status = ?,
                current_period_start = ?, current_period_end = ?, cancel_at_period_end = ?, cancel_at = ?,
                canceled_at = ?, ended_at = ?, trial_start = ?, trial_end = ?,
                pause_behavior = ?, pause_resumes_at = ?, pause_paid_until = ?, schedule_id = ?,
                scheduled_plan = ?, scheduled_cycle = ?, scheduled_quantity = ?, scheduled_at = ?, metadata = cast(? as jsonb),
                currency = ?, last_event_created = ?, last_event_id = ?, updated_at = now()
            where stripe_subscription_id = ? and (last_event_created is null or last_event_created <= ?)""";


    /** When the newest schedule event applied to the row was created (null: none yet). */
    public Optional<Instant> scheduleAsOf(String id) {
        flush();
        return h.createQuery("select schedule_as_of from subscriptions where stripe_subscription_id = :id").bind("id", id)
                .map((rs, ctx) -> instant(rs, "schedule_as_of")).findOne().flatMap(Optional::ofNullable);
    }

    /**
     * The row's schedule and the change it makes, from a subscription schedule's event: only from an event at least as
     * new as the schedule event held (the ledger checks the subscription's own ordering first).
     *
     * @return false when the guard refused
     */
    public boolean setSchedule(String id, String scheduleId, dev.billingcli.subscription.ScheduledChange change, Instant asOf) {
        written(id);
        return h.createUpdate("""
                update subscriptions set schedule_id = :sched, scheduled_plan = :splan, scheduled_cycle = :scycle, scheduled_quantity = :sqty,
                    scheduled_at = :sat, schedule_as_of = :asof, updated_at = now()
                where stripe_subscription_id = :id and (schedule_as_of is null or schedule_as_of <= :asof)""")
                .bind("id", id).bind("sched", scheduleId).bind("splan", change == null ? null : change.planId())
                .bind("scycle", change == null ? null : change.cycle()).bind("sqty", change == null ? null : change.quantity())
                .bind("sat", ts(change == null ? null : change.at())).bind("asof", ts(asOf)).execute() == 1;
    }

    /**
     * A status change that comes without a full state (an invoice event): applied only when the event is
     * strictly newer than the state held, and only from one of the given statuses.
     */
    public boolean changeStatus(String id, List<String> from, String to, Instant eventCreated, String eventId) {
        written(id);
        return h.createUpdate("""
                update subscriptions set status = :to, last_event_created = :created, last_event_id = :event, updated_at = now()
                where stripe_subscription_id = :id and status in (<from>)
                  and (last_event_created is null or last_event_created < :created)""")
                .bindList("from", from).bind("to", to).bind("id", id).bind("created", eventCreated).bind("event", eventId)
                .execute() == 1;
    }

    /**
     * A row from a checkout session alone, before any subscription event (pending payment, or no Stripe
     * key to fetch the state). It never replaces a state that came from a subscription event.
     */
    public void recordFromCheckout(String id, String customerId, String accountId, String planId, String status) {
        written(id);
        h.createUpdate("""
                insert into subscriptions (stripe_subscription_id, account_id, stripe_customer_id, plan_id, status)
                values (:id, :a, :c, :plan, :status)
                on conflict (stripe_subscription_id) do update set
                    account_id = coalesce(subscriptions.account_id, excluded.account_id),
                    plan_id = coalesce(subscriptions.plan_id, excluded.plan_id),
                    status = excluded.status, updated_at = now()
                where subscriptions.last_event_created is null and subscriptions.status like 'pending%'""")
                .bind("id", id).bind("a", accountId).bind("c", customerId).bind("plan", planId).bind("status", status).execute();
    }

    /**
     * Ends a pending checkout payment (async payment succeeded or failed) on a row that no subscription
     * event has replaced yet: once Stripe's own state is held, Stripe's status is the truth.
     */
    public boolean settlePending(String id, String to) {
        written(id);
        return h.createUpdate("update subscriptions set status = :to, updated_at = now() where stripe_subscription_id = :id and status like 'pending%'")
                .bind("to", to).bind("id", id).execute() == 1;
    }

    /** Links the account's subscriptions that arrived before the customer was known. */
    public int linkAccount(String customerId, String accountId) {
        flush();
        held.clear();
        return h.createUpdate("update subscriptions set account_id = :a, updated_at = now() where stripe_customer_id = :c and account_id is null")
                .bind("a", accountId).bind("c", customerId).execute();
    }

    /** {@link #linkAccount} for many customers (customer id → account id) in one statement. */
    public void linkAccounts(Map<String, String> accountOfCustomer) {
        if (accountOfCustomer.isEmpty()) {
            return;
        }
        flush();
        held.clear();
        h.createUpdate("""
                update subscriptions s set account_id = v.a, updated_at = now() from unnest(:c, :a) as v(c, a)
                where s.stripe_customer_id = v.c and s.account_id is null""")
                .bindArray("c", String.class, List.copyOf(accountOfCustomer.keySet()))
                .bindArray("a", String.class, List.copyOf(accountOfCustomer.values())).execute();
    }

    private static <T extends org.jdbi.v3.core.statement.SqlStatement<T>> T bind(T u, Subscription s) {
        dev.billingcli.subscription.ScheduledChange sc = s.scheduledChange();
        return u.bind("id", s.id()).bind("account", s.accountId()).bind("customer", s.customerId()).bind("plan", s.planId())
                .bind("price", s.priceId()).bind("lookup", s.priceLookupKey()).bind("interval", s.interval())
                .bind("quantity", s.quantity()).bind("status", s.status()).bind("ps", ts(s.currentPeriodStart()))
                .bind("pe", ts(s.currentPeriodEnd())).bind("cape", s.cancelAtPeriodEnd()).bind("ca", ts(s.cancelAt()))
                .bind("canceled", ts(s.canceledAt())).bind("ended", ts(s.endedAt())).bind("ts", ts(s.trialStart()))
                .bind("te", ts(s.trialEnd())).bind("pb", s.pauseBehavior()).bind("pr", ts(s.pauseResumesAt()))
                .bind("pp", ts(s.pausePaidUntil())).bind("sched", s.scheduleId())
                .bind("splan", sc == null ? null : sc.planId()).bind("scycle", sc == null ? null : sc.cycle())
                .bind("sqty", sc == null ? null : sc.quantity()).bind("sat", sc == null ? null : ts(sc.at()))
                .bind("metadata", json(s.metadata())).bind("currency", s.currency());
    }

    static OffsetDateTime ts(Instant i) {
        return i == null ? null : i.atOffset(java.time.ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static String json(Map<String, String> metadata) {
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stored stored(ResultSet rs) throws SQLException {
        Map<String, String> metadata = new LinkedHashMap<>();
        try {
            JSON.readTree(rs.getString("metadata")).fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        } catch (JsonProcessingException e) {
            throw new SQLException("metadata is not JSON", e);
        }
        Subscription s = new Subscription(rs.getString("stripe_subscription_id"), rs.getString("account_id"),
                rs.getString("stripe_customer_id"), rs.getString("plan_id"), rs.getString("price_id"), rs.getString("price_lookup_key"),
                rs.getString("interval"), rs.getInt("quantity"), rs.getString("status"), instant(rs, "current_period_start"),
                instant(rs, "current_period_end"), rs.getBoolean("cancel_at_period_end"), instant(rs, "cancel_at"),
                instant(rs, "canceled_at"), instant(rs, "ended_at"), instant(rs, "trial_start"), instant(rs, "trial_end"),
                rs.getString("pause_behavior"), instant(rs, "pause_resumes_at"), instant(rs, "pause_paid_until"), rs.getString("schedule_id"),
                rs.getTimestamp("scheduled_at") == null ? null : new dev.billingcli.subscription.ScheduledChange(rs.getString("scheduled_plan"),
                        rs.getString("scheduled_cycle"), rs.getInt("scheduled_quantity"), instant(rs, "scheduled_at")),
                metadata, rs.getString("currency"));
        return new Stored(s, instant(rs, "last_event_created"), rs.getString("last_event_id"));
    }
}
