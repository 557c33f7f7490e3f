package dev.billingcli.webhook;

import dev.billingcli.BillingException;
import dev.billingcli.store.Database;
import dev.billingcli.store.EventStore;
import dev.billingcli.stripe.EventsGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The stored events: what {@code events list|show|replay|fetch} do. */
public final class EventLog {
    private final Database database;
    private final EventProcessor processor;
    private final Supplier<EventsGateway> stripe;

    /** @param stripe opens the Stripe reader of {@link #fetch} (only that needs a key) */
    public EventLog(Database database, EventProcessor processor, Supplier<EventsGateway> stripe) {
        this.database = database;
        this.processor = processor;
        this.stripe = stripe;
    }

    /** A stored event. @param payload the event as Stripe sent it (re-serialised by jsonb) */
    public record StoredEvent(String id, String type, Instant created, String accountId, String objectId, String payload,
            Instant receivedAt, Instant processedAt, String outcome, String error) {
        public static StoredEvent of(EventStore.StoredEvent row) {
            return new StoredEvent(row.id(), row.type(), row.created(), row.accountId(), row.objectId(), row.payload(), row.receivedAt(),
                    row.processedAt(), row.outcome(), row.error());
        }
    }

    /** What {@code events list} filters on; null means any. */
    public record Filter(String accountId, String type, String outcome, int limit) {
        public EventStore.Filter row() {
            return new EventStore.Filter(accountId, type, outcome, limit);
        }
    }

    public List<StoredEvent> list(Filter filter) {
        return database.read(tx -> tx.events().list(filter.row())).stream().map(StoredEvent::of).toList();
    }

    public Optional<StoredEvent> find(String id) {
        return database.read(tx -> tx.events().find(id)).map(StoredEvent::of);
    }

    /** Applies stored events again, through the same handlers and ordering rule; an unknown id is exit 1. */
    public List<EventProcessor.Result> replay(List<String> ids) {
        for (String id : ids) {
            if (find(id).isEmpty()) {
                throw BillingException.notFound("no stored event " + id + " (see billing events list)");
            }
        }
        List<EventProcessor.Result> results = new ArrayList<>();
        ids.forEach(id -> results.add(processor.replay(id)));
        return results;
    }

    public List<EventProcessor.Result> replayFailed() {
        return replay(database.read(tx -> tx.events().failedIds()));
    }

    /** @param results one per event Stripe listed, oldest first; events already stored are duplicates */
    public record FetchReport(Instant since, int listed, List<EventProcessor.Result> results) {}

    /**
     * Pulls the handled events created since {@code since} from Stripe's {@code /v1/events} and processes
     * the ones not stored yet: repairs the gap a downtime of webhook-serve left. Read in parallel windows of
     * {@code created} at the process's Stripe rate; an interrupted fetch is simply run again (events already
     * stored are duplicates, nothing is written twice). {@code since} must lie
     * between {@code now} and Stripe's retention before it.
     */
    public FetchReport fetch(Instant since, Instant now) {
        if (!since.isBefore(now) || since.isBefore(now.minus(Duration.ofDays(EventsGateway.RETENTION_DAYS)))) {
            throw BillingException.invalid("--since must be in the past and at most " + EventsGateway.RETENTION_DAYS
                    + " days ago: Stripe keeps events for " + EventsGateway.RETENTION_DAYS + " days");
        }
        List<EventProcessor.Result> results = new ArrayList<>();
        int[] listed = {0};
        stripe.get().eachEventPage(since, Handlers.TYPES, page -> {
            listed[0] += page.size();
            for (String raw : page) {
                try {
                    results.add(processor.process(StripeEvent.parse(raw)));
                } catch (Rejection r) {
                    throw BillingException.serviceFailed("Stripe listed something that is not an event: " + r.getMessage(), r);
                } catch (EventProcessor.Unavailable u) {
                    throw BillingException.serviceFailed(u.getMessage(), u);
                }
            }
        });
        return new FetchReport(since, listed[0], results);
    }
}
