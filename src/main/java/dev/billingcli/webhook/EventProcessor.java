package dev.billingcli.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.store.Database;
import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.store.Tx;
import dev.billingcli.store.EventStore;
import dev.billingcli.store.EventStore.StoredEvent;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Applies a verified event and stores it in one transaction, so a crash leaves both or neither. The
 * event id's primary key settles repeated deliveries: the event row is inserted last, and when a
 * delivery of the same id is already stored (or being stored: the insert waits for that transaction)
 * the whole transaction rolls back and the answer is duplicate. So a repeated delivery, here or on
 * another instance, changes nothing. There is no look-up before the work: Stripe repeats few
 * deliveries, and the look-up was one round trip of five for every event (bench/README-webhook.md).
 * The handler for the type ({@link Handlers}) does the rest, under row locks rather than in-memory
 * locks, so several instances on one database reach the same state.
 */
public final class EventProcessor {
    /** Serialization failures and deadlocks between instances are retried this many times. */
    private static final int ATTEMPTS = 4;

    /** What processing one event did. @param note why (stale, failed, settled how), or null */
    public record Result(String eventId, String type, String accountId, Outcome outcome, String note, long micros) {}

    /** The database cannot be reached: the event was not stored, the sender should retry (503). */
    public static final class Unavailable extends RuntimeException {
        Unavailable(Throwable cause) {
            super("database unavailable: " + rootMessage(cause), cause);
        }
    }

    /** The event was stored by a concurrent delivery while this one was applying it. */
    private static final class StoredMeanwhile extends RuntimeException {
        StoredMeanwhile() {
            super(null, null, false, false);
        }
    }

    private final Database database;
    private final Catalog catalog;
    private final SubscriptionLedger ledger;

    /** @param subscriptionFetcher a subscription's current state from Stripe, or null without a Stripe key */
    public EventProcessor(Database database, Catalog catalog, Function<String, Optional<JsonNode>> subscriptionFetcher) {
        this.database = database;
        this.catalog = catalog;
        this.ledger = new SubscriptionLedger(catalog, subscriptionFetcher);
    }

    /** Processes a delivered event: stored and applied once, a duplicate otherwise. */
    public Result process(StripeEvent event) {
        return run(event, false);
    }

    /** One delivery's answer from {@link #processTogether}: its result, or why it has none ({@link Unavailable}: 503). */
    public record Answer(Result result, RuntimeException failure) {
        /** The result, or the failure thrown. */
        public Result get() {
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    /**
     * Group commit: deliveries that arrived together are applied and stored in one transaction with one
     * commit (one round trip to lock their subscriptions and find the events stored already, one to write
     * their new states and store the events), and every answer exists only once that commit is done.
     * The guarantees of {@link #process} hold for each: a delivery of an event stored already (or twice in
     * the group) is a duplicate, the ordering rule runs under the row lock, in arrival order. When anything in the shared transaction fails
     * (one handler, a delivery another transaction stored meanwhile, a deadlock, the database), all of it is
     * rolled back and each event runs again alone through {@link #process}: one event's failure is never
     * another's answer.
     *
     * @return one answer per event, in the same order
     */
    public List<Answer> processTogether(List<StripeEvent> events) {
        return processTogether(events, () -> {});
    }

    /**
     * {@link #processTogether(List)}, calling {@code written} once the group's statements succeeded and only its
     * commit is left (group commit lets the next group start then: its row locks wait for this commit).
     */
    List<Answer> processTogether(List<StripeEvent> events, Runnable written) {
        if (events.size() > 1) {
            long start = System.nanoTime();
            List<Result> together;
            try {
                together = database.inTransaction(tx -> {
                    List<Result> results = together(tx, events, start);
                    written.run();
                    return results;
                });
            } catch (RuntimeException e) {
                together = null; // rolled back: each alone below
            }
            if (together != null) {
                return together.stream().map(r -> new Answer(r, null)).toList();
            }
        }
        List<Answer> answers = new ArrayList<>(events.size());
        for (StripeEvent event : events) {
            try {
                answers.add(new Answer(process(event), null));
            } catch (RuntimeException e) {
                answers.add(new Answer(null, e));
            }
        }
        return answers;
    }

    private List<Result> together(Tx tx, List<StripeEvent> events, long start) {
        // the subscriptions of every delivery are locked, duplicates' too: which ones are duplicates comes in the same answer
        Set<String> toLock = new java.util.TreeSet<>();
        for (StripeEvent event : events) {
            if (Handlers.locksItsSubscription(event.type()) && event.objectId() != null) {
                toLock.add(event.objectId());
            }
        }
        Map<String, String> stored = tx.lockAheadFindingStored(toLock, events.stream().map(StripeEvent::id).distinct().toList());
        Set<String> seen = new HashSet<>();
        boolean[] duplicate = new boolean[events.size()];
        for (int i = 0; i < events.size(); i++) {
            StripeEvent event = events.get(i);
            String outcome = stored.get(event.id());
            duplicate[i] = !seen.add(event.id()) || (outcome != null && !outcome.equals(Outcome.FAILED.wire()));
        }
        List<Result> results = new ArrayList<>(events.size());
        List<EventStore.NewEvent> rows = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            StripeEvent event = events.get(i);
            if (duplicate[i]) {
                results.add(new Result(event.id(), event.type(), null, Outcome.DUPLICATE, null, micros(start)));
                continue;
            }
            Handler handler = Handlers.forType(event.type());
            HandlerContext c = new HandlerContext(tx, event, catalog, ledger);
            Outcome outcome = handler == null ? Outcome.IGNORED : handler.handle(c);
            rows.add(new EventStore.NewEvent(event.id(), event.type(), event.created(), event.objectId(), event.raw(), outcome.wire(),
                    c.accountId(), c.note()));
            results.add(new Result(event.id(), event.type(), c.accountId(), outcome, c.note(), micros(start)));
        }
        // the group's new states and its events, in one statement
        if (tx.storeWithDeferredStates(rows).size() != rows.size()) {
            throw new StoredMeanwhile(); // another transaction stored one of them first: each alone says which
        }
        return results;
    }

    /** Applies a stored event again, through the same handlers and ordering rule ({@code events replay}). */
    public Result replay(String eventId) {
        Optional<StoredEvent> stored = database.read(tx -> tx.events().find(eventId));
        if (stored.isEmpty()) {
            return null;
        }
        StripeEvent event;
        try {
            event = StripeEvent.parse(stored.get().payload());
        } catch (Rejection r) {
            throw new IllegalStateException("stored event " + eventId + " is not an event: " + r.getMessage());
        }
        return run(event, true);
    }

    private Result run(StripeEvent event, boolean replay) {
        long start = System.nanoTime();
        for (int attempt = 1;; attempt++) {
            try {
                return database.inTransaction(tx -> {
                    if (replay && tx.events().lock(event.id()).isEmpty()) {
                        return new Result(event.id(), event.type(), null, Outcome.DUPLICATE, null, micros(start));
                    }
                    Handler handler = Handlers.forType(event.type());
                    HandlerContext c = new HandlerContext(tx, event, catalog, ledger);
                    Outcome outcome = handler == null ? Outcome.IGNORED : handler.handle(c);
                    if (replay) {
                        tx.events().finish(event.id(), outcome.wire(), c.accountId(), c.note());
                    } else if (!tx.events().store(event.id(), event.type(), event.created(), event.objectId(), event.raw(),
                            outcome.wire(), c.accountId(), c.note())) {
                        throw new StoredMeanwhile();
                    }
                    return new Result(event.id(), event.type(), c.accountId(), outcome, c.note(), micros(start));
                });
            } catch (StoredMeanwhile e) {
                // another delivery of this event committed first: everything this one did is rolled back
                return new Result(event.id(), event.type(), null, Outcome.DUPLICATE, null, micros(start));
            } catch (RuntimeException e) {
                if (unavailable(e)) {
                    // a pooled connection that died with the server: the pool drops it, a fresh one may work
                    if (!timedOut(e) && attempt < ATTEMPTS) {
                        continue;
                    }
                    throw new Unavailable(e);
                }
                if (retryable(e) && attempt < ATTEMPTS) {
                    continue;
                }
                if (!replay && storedAlready(event.id())) {
                    // a repeated delivery of an event handled before: what failed now changes nothing
                    return new Result(event.id(), event.type(), null, Outcome.DUPLICATE, null, micros(start));
                }
                return recordFailure(event, e, start);
            }
        }
    }

    private boolean storedAlready(String eventId) {
        return afterFailure(tx -> tx.events().outcomeOf(eventId)).filter(o -> !o.equals(Outcome.FAILED.wire())).isPresent();
    }

    private Result recordFailure(StripeEvent event, RuntimeException e, long start) {
        String error = rootMessage(e);
        afterFailure(tx -> {
            tx.events().recordFailure(event.id(), event.type(), event.created(), event.objectId(), event.raw(), error);
            return null;
        });
        return new Result(event.id(), event.type(), null, Outcome.FAILED, error, micros(start));
    }

    /** A transaction of its own after the event's failed; a database gone meanwhile is {@link Unavailable} (503). */
    private <T> T afterFailure(java.util.function.Function<Tx, T> work) {
        try {
            return database.inTransaction(work);
        } catch (RuntimeException again) {
            if (unavailable(again)) {
                throw new Unavailable(again);
            }
            throw again;
        }
    }

    private static long micros(long start) {
        return (System.nanoTime() - start) / 1000;
    }

    /** Connection refused, lost, or the server shutting down (SQLSTATE class 08, 57P0x). */
    static boolean unavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The pool waited its connection timeout for a connection: retrying would only wait again. */
    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
        }
        return false;
    }

    /** Serialization failure or deadlock: the transaction can simply run again. */
    private static boolean retryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ("40001".equals(s.getSQLState()) || "40P01".equals(s.getSQLState()))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
