package dev.billingcli.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Which state of a subscription wins. Stripe delivers at least once and in no particular order, and an
 * event's {@code created} has one-second resolution. The rule, decided under the subscription's row lock:
 * <ol>
 *   <li>An event created in a later second than the state held wins; an earlier one is stale (stored, not
 *       applied). The SQL update repeats this guard, so nothing can move a row backwards.</li>
 *   <li>Same second as a state held from Stripe's answer to one of our requests (a support action, a sync page: its
 *       source is {@code command:req_…}, not an event): an answer has no {@code previous_attributes}, so the payloads
 *       cannot place the event before or after it — the action's own event comes after its answer, but an earlier
 *       action's may come after it too (cancel, then reactivate, in one second: the cancellation's event arrives last).
 *       An event that repeats the state held is applied (nothing changes); any other is settled by Stripe's current
 *       state, fetched when a key is configured, else the answer's state is kept and the event marked stale.</li>
 *   <li>Same second: the events of that second for this subscription (stored ones and this one) are put in
 *       order by their payloads. {@code created} comes before any update and {@code deleted} after
 *       everything; an update Y follows X when Y's {@code previous_attributes} (the old values of what Y
 *       changed) equal X's state. The one event no other follows is the newest; its state is the one held.
 *       This also repairs arrival orders like U1, U3, U2: once U2 arrives, U3's state is put back.</li>
 *   <li>When the payloads do not give one newest event (a field changed and changed back within the
 *       second, or an event of that second has not arrived), and a Stripe key is configured, the
 *       subscription is fetched from Stripe: its current state is newer than every event.</li>
 *   <li>Without a key the state held is kept unless this event follows it and not the reverse; the event
 *       is marked stale with the reason, and {@code events replay} or {@code events fetch} can settle it.</li>
 * </ol>
 */
public final class SubscriptionOrdering {
    private SubscriptionOrdering() {}

    /**
     * The state a subscription row holds: the event (or answer) it came from, null for none yet.
     *
     * @param lastEventId an event id, or for Stripe's answer to a request of ours {@code command:request-id}
     */
    public record Held(String lastEventId, Instant lastEventCreated) {
        /** Whether the state came from Stripe's answer to a request (event ids have no colon). */
        public boolean fromAnswer() {
            return lastEventId != null && lastEventId.indexOf(':') > 0;
        }
    }

    /**
     * @param state the Stripe object to hold, or null to keep the state held
     * @param eventId the event that state comes from (the one recorded as the row's last event)
     */
    public record Decision(JsonNode state, String eventId, String note) {
        public boolean keep() {
            return state == null;
        }

        static Decision keep(String note) {
            return new Decision(null, null, note);
        }
    }

    /**
     * @param stored the event whose state the row holds
     * @param sameSecond the stored events of this subscription created in the same second as {@code e}
     * @param fetch the subscription from Stripe, or null without a key
     * @param holds whether a Stripe object's state is the one the row holds (the fields billing keeps)
     */
    public static Decision decide(Held stored, StateChange e, Supplier<List<StateChange>> sameSecond,
            Function<String, Optional<JsonNode>> fetch, java.util.function.Predicate<JsonNode> holds) {
        if (e.id().equals(stored.lastEventId())) {
            return Decision.keep("the subscription already holds this event's state");
        }
        if (stored.lastEventCreated() == null || e.created().isAfter(stored.lastEventCreated())) {
            return new Decision(e.object(), e.id(), null);
        }
        if (e.created().isBefore(stored.lastEventCreated())) {
            return Decision.keep("older than the state held (" + stored.lastEventId() + ", " + stored.lastEventCreated() + ")");
        }
        if (stored.fromAnswer()) {
            if (holds.test(e.object())) {
                return new Decision(e.object(), e.id(), "same second as Stripe's answer " + stored.lastEventId() + ", whose state it repeats");
            }
            Optional<JsonNode> current = fetch == null ? Optional.empty() : fetch.apply(e.objectId());
            if (current.isPresent()) {
                return new Decision(current.get(), e.id(), "same second as Stripe's answer " + stored.lastEventId()
                        + ", order not in the payloads: state fetched from Stripe");
            }
            return Decision.keep("same second as Stripe's answer " + stored.lastEventId() + ", which it may precede"
                    + " (a Stripe key lets webhook-serve fetch the subscription to settle it)");
        }
        List<StateChange> group = new ArrayList<>(sameSecond.get());
        group.add(e);
        List<StateChange> newest = group.stream().filter(x -> group.stream().noneMatch(y -> follows(y, x))).toList();
        if (newest.size() == 1) {
            StateChange n = newest.get(0);
            if (n == e) {
                return new Decision(e.object(), e.id(), null);
            }
            if (n.id().equals(stored.lastEventId())) {
                return Decision.keep("same second as " + stored.lastEventId() + ", which follows it");
            }
            return new Decision(n.object(), n.id(), "same second: " + n.id() + " is the newest of " + group.size() + " events; its state restored");
        }
        if (fetch != null) {
            Optional<JsonNode> current = fetch.apply(e.objectId());
            if (current.isPresent()) {
                return new Decision(current.get(), e.id(), "same second, order not in the payloads: state fetched from Stripe");
            }
        }
        StateChange held = group.stream().filter(x -> x.id().equals(stored.lastEventId())).findFirst().orElse(null);
        if (held == null || (follows(e, held) && !follows(held, e))) {
            return new Decision(e.object(), e.id(), "same second, order not settled by the payloads: follows the state held");
        }
        return Decision.keep("same second as " + stored.lastEventId() + ", order not settled by the payloads"
                + " (a Stripe key lets webhook-serve fetch the subscription to settle it)");
    }

    /** Whether {@code y} came after {@code x} (two events of one subscription, one second). */
    static boolean follows(StateChange y, StateChange x) {
        if (y.id().equals(x.id()) || y.type().endsWith(".created") || x.type().endsWith(".deleted")) {
            return false;
        }
        if (x.type().endsWith(".created") || y.type().endsWith(".deleted")) {
            return true;
        }
        return y.hasPreviousAttributes() && matches(y.previousAttributes(), x.object());
    }

    /** Whether every value in {@code previous} equals the one in {@code state} (objects: the keys given). */
    static boolean matches(JsonNode previous, JsonNode state) {
        if (previous.isObject()) {
            if (!state.isObject()) {
                return false;
            }
            var it = previous.fields();
            while (it.hasNext()) {
                var f = it.next();
                if (!matches(f.getValue(), state.path(f.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (previous.isArray()) {
            if (!state.isArray() || state.size() != previous.size()) {
                return false;
            }
            for (int i = 0; i < previous.size(); i++) {
                if (!matches(previous.get(i), state.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (previous.isNull()) {
            return state.isNull() || state.isMissingNode();
        }
        if (previous.isNumber() && state.isNumber()) {
            return previous.decimalValue().compareTo(state.decimalValue()) == 0;
        }
        return previous.equals(state);
    }
}
