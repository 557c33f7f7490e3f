package dev.billingcli.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * The one place that writes {@code stripe_events}: every verified event, stored in the transaction that
 * applies it. The primary key on the event id is what makes a second delivery (to this instance or to
 * another one on the same database) a duplicate.
 */
public final class EventStore {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private final Handle h;

    EventStore(Handle h) {
        this.h = h;
    }

    /** An event row. @param payload the event as Stripe sent it (re-serialised by jsonb) */
    public record StoredEvent(String id, String type, Instant created, String accountId, String objectId, String payload,
            Instant receivedAt, Instant processedAt, String outcome, String error) {}

    /** What {@code events list} filters on; null means any. */
    public record Filter(String accountId, String type, String outcome, int limit) {}

    /** The outcome of a stored event, if it is stored. */
    public Optional<String> outcomeOf(String id) {
        return h.createQuery("select outcome from stripe_events where event_id = :id").bind("id", id).mapTo(String.class).findOne();
    }

    /**
     * Stores a processed event with its outcome, at the end of the transaction that applied it (one write
     * of the payload). False when another delivery stored it first (on this instance or another): the
     * caller rolls back and answers duplicate. A concurrent store of the same id waits for the first
     * transaction, then sees it. An earlier failed attempt is replaced.
     */
    public boolean store(String id, String type, Instant created, String objectId, String payload,
            String outcome, String accountId, String note) {
        return storeAll(List.of(new NewEvent(id, type, created, objectId, payload, outcome, accountId, note))).contains(id);
    }

    /** A processed event to store with {@link #storeAll}. */
    public record NewEvent(String id, String type, Instant created, String objectId, String payload, String outcome, String accountId,
            String note) {}

    /**
     * The stored outcomes among these event ids, in one round trip (group commit answers the deliveries of
     * events already stored as duplicates before applying anything).
     */
    public Map<String, String> outcomesOf(Collection<String> ids) {
        Map<String, String> found = new HashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        try (PreparedStatement st = Jdbc.prepare(h, OUTCOMES)) {
            st.setArray(1, h.getConnection().createArrayOf("text", ids.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new Jdbc.Failed(e);
        }
        return found;
    }

    /**
     * {@link #store} for several events in one statement (group commit). Returns the ids stored; an id
     * missing from it was stored by another delivery first (the caller rolls back).
     */
    public Set<String> storeAll(List<NewEvent> events) {
        Set<String> stored = new HashSet<>();
        if (events.isEmpty()) {
            return stored;
        }
        try (PreparedStatement st = Jdbc.prepare(h, STORE_ALL)) {
            bindEvents(st, 1, h.getConnection(), events);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    stored.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new Jdbc.Failed(e);
        }
        return stored;
    }

    /** Binds the events as the 8 arrays of {@link #INSERT_EVENTS}, from parameter {@code first} on. */
    static void bindEvents(PreparedStatement st, int first, java.sql.Connection c, List<NewEvent> events) throws SQLException {
        int n = events.size();
        String[] ids = new String[n], types = new String[n], objects = new String[n], payloads = new String[n], outcomes = new String[n],
                accounts = new String[n], notes = new String[n];
        Long[] created = new Long[n];
        for (int i = 0; i < n; i++) {
            NewEvent e = events.get(i);
            ids[i] = e.id();
            types[i] = e.type();
            created[i] = e.created().getEpochSecond();
            objects[i] = e.objectId();
            payloads[i] = e.payload();
            outcomes[i] = e.outcome();
            accounts[i] = e.accountId();
            notes[i] = e.note();
        }
        int p = first;
        st.setArray(p++, c.createArrayOf("text", ids));
        st.setArray(p++, c.createArrayOf("text", types));
        st.setArray(p++, c.createArrayOf("int8", created));
        st.setArray(p++, c.createArrayOf("text", objects));
        st.setArray(p++, c.createArrayOf("text", payloads));
        st.setArray(p++, c.createArrayOf("text", outcomes));
        st.setArray(p++, c.createArrayOf("text", accounts));
        st.setArray(p, c.createArrayOf("text", notes));
    }

    /** Inserts the events bound by {@link #bindEvents}; returns the ids stored (an earlier failed attempt is replaced). */
    static final String INSERT_EVENTS = """
            insert into stripe_events (event_id, type, created, object_id, payload, outcome, account_id, error, processed_at)
            select e.id, e.type, to_timestamp(e.created), e.object, cast(e.payload as jsonb), e.outcome, e.account, e.error, now()
            from unnest(?::text[], ?::text[], ?::int8[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                as e(id, type, created, object, payload, outcome, account, error)
            on conflict (event_id) do update set outcome = excluded.outcome, account_id = excluded.account_id,
                error = excluded.error, received_at = now(), processed_at = now()
            where stripe_events.outcome = 'failed'
            returning event_id""";

    private static final String STORE_ALL = INSERT_EVENTS;

    /** Finds the stored outcomes among the event ids bound (a text array), as rows {@code (event_id, outcome)}. */
    static final String OUTCOMES = "select event_id, outcome from stripe_events where event_id = any(?)";

    /** Sets the outcome of a replayed event, in the transaction that applied it again. */
    public void finish(String id, String outcome, String accountId, String error) {
        h.createUpdate("""
                update stripe_events set outcome = :outcome, account_id = coalesce(:account, account_id), error = :error,
                    processed_at = now() where event_id = :id""")
                .bind("outcome", outcome).bind("account", accountId).bind("error", error).bind("id", id).execute();
    }

    /**
     * Records an event whose handling failed (in a transaction of its own, after the failed one rolled
     * back). A later delivery or {@code events replay} tries it again; a success elsewhere is kept.
     */
    public void recordFailure(String id, String type, Instant created, String objectId, String payload, String error) {
        h.createUpdate("""
                insert into stripe_events (event_id, type, created, object_id, payload, outcome, error, processed_at)
                values (:id, :type, :created, :object, cast(:payload as jsonb), 'failed', :error, now())
                on conflict (event_id) do update set outcome = 'failed', error = excluded.error, processed_at = now()
                where stripe_events.outcome = 'failed'""")
                .bind("id", id).bind("type", type).bind("created", SubscriptionStore.ts(created)).bind("object", objectId)
                .bind("payload", payload).bind("error", error).execute();
    }

    /** The event row, locked, for a replay. */
    public Optional<StoredEvent> lock(String id) {
        return h.createQuery(SELECT + " where event_id = :id for update").bind("id", id).map((rs, ctx) -> row(rs)).findOne();
    }

    public Optional<StoredEvent> find(String id) {
        return h.createQuery(SELECT + " where event_id = :id").bind("id", id).map((rs, ctx) -> row(rs)).findOne();
    }

    /** Subscription events of one subscription created in the same second, other than {@code except}. */
    public List<dev.billingcli.subscription.StateChange> sameSecond(String subscriptionId, Instant created, String except) {
        return h.createQuery(SELECT + " " + """
                 where object_id = :object and created = :created and event_id <> :except
                   and type in ('customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted')
                   and outcome in ('applied', 'stale')""")
                .bind("object", subscriptionId).bind("created", SubscriptionStore.ts(created)).bind("except", except)
                .map((rs, ctx) -> change(rs.getString("payload"))).list();
    }

    private static dev.billingcli.subscription.StateChange change(String payload) throws SQLException {
        try {
            com.fasterxml.jackson.databind.JsonNode e = JSON.readTree(payload);
            com.fasterxml.jackson.databind.JsonNode previous = e.path("data").get("previous_attributes");
            return new dev.billingcli.subscription.StateChange(e.path("id").asText(), e.path("type").asText(),
                    Instant.ofEpochSecond(e.path("created").asLong()), e.path("data").path("object"),
                    previous == null || previous.isNull() ? null : previous);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new SQLException("stored event is not JSON", ex);
        }
    }

    public void setOutcome(String id, String outcome) {
        h.createUpdate("update stripe_events set outcome = :o, processed_at = now() where event_id = :id")
                .bind("o", outcome).bind("id", id).execute();
    }

    public List<StoredEvent> list(Filter f) {
        StringBuilder sql = new StringBuilder(SELECT).append(" where true");
        List<Object[]> binds = new ArrayList<>();
        if (f.accountId() != null) {
            sql.append(" and account_id = :account");
            binds.add(new Object[] {"account", f.accountId()});
        }
        if (f.type() != null) {
            sql.append(" and type = :type");
            binds.add(new Object[] {"type", f.type()});
        }
        if (f.outcome() != null) {
            sql.append(" and outcome = :outcome");
            binds.add(new Object[] {"outcome", f.outcome()});
        }
        sql.append(" order by created desc, received_at desc limit :limit");
        Query q = h.createQuery(sql.toString()).bind("limit", f.limit());
        binds.forEach(b -> q.bind((String) b[0], b[1]));
        return q.map((rs, ctx) -> row(rs)).list();
    }

    public List<String> failedIds() {
        return h.createQuery("select event_id from stripe_events where outcome = 'failed' order by created, received_at")
                .mapTo(String.class).list();
    }

    public boolean exists(String id) {
        return h.createQuery("select count(*) from stripe_events where event_id = :id").bind("id", id).mapTo(Long.class).one() > 0;
    }

    public long count() {
        return h.createQuery("select count(*) from stripe_events").mapTo(Long.class).one();
    }

    private static final String SELECT = """
            select event_id, type, created, account_id, object_id, payload::text as payload, received_at, processed_at, outcome, error
            from stripe_events""";

    private static StoredEvent row(ResultSet rs) throws SQLException {
        return new StoredEvent(rs.getString("event_id"), rs.getString("type"), SubscriptionStore.instant(rs, "created"),
                rs.getString("account_id"), rs.getString("object_id"), rs.getString("payload"),
                SubscriptionStore.instant(rs, "received_at"), SubscriptionStore.instant(rs, "processed_at"),
                rs.getString("outcome"), rs.getString("error"));
    }
}
