package dev.billingcli.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.subscription.SubscriptionOrdering.Decision;
import dev.billingcli.subscription.SubscriptionOrdering.Held;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The ordering rule as a table: what is held, what arrives, what else that second holds, what wins. */
class SubscriptionOrderingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode state(String status, boolean cancelAtPeriodEnd) {
        return json("{'id': 'sub_1', 'object': 'subscription', 'status': '" + status + "', 'cancel_at_period_end': " + cancelAtPeriodEnd + "}");
    }

    private static StateChange created(String id, Instant at, String status) {
        return new StateChange(id, "customer.subscription.created", at, state(status, false), null);
    }

    /** An update from one state to another (previous_attributes: the old values of what changed). */
    private static StateChange updated(String id, Instant at, String fromStatus, boolean fromCape, String status, boolean cape) {
        StringBuilder prev = new StringBuilder("{");
        if (!fromStatus.equals(status)) {
            prev.append("'status': '").append(fromStatus).append("'");
        }
        if (fromCape != cape) {
            prev.append(prev.length() > 1 ? ", " : "").append("'cancel_at_period_end': ").append(fromCape);
        }
        return new StateChange(id, "customer.subscription.updated", at, state(status, cape), json(prev.append("}").toString()));
    }

    private static StateChange deleted(String id, Instant at) {
        return new StateChange(id, "customer.subscription.deleted", at, state("canceled", false), json("{'status': 'active'}"));
    }

    private static final StateChange C = created("evt_c", T, "trialing");
    private static final StateChange U1 = updated("evt_u1", T, "trialing", false, "active", false);
    private static final StateChange U2 = updated("evt_u2", T, "active", false, "active", true);
    private static final StateChange U3 = updated("evt_u3", T, "active", true, "past_due", true);
    private static final StateChange D = deleted("evt_d", T);
    private static final StateChange LATER = updated("evt_later", T.plusSeconds(1), "active", false, "past_due", false);
    private static final StateChange EARLIER = updated("evt_earlier", T.minusSeconds(1), "trialing", false, "active", false);
    /** A field changed and changed back within the second: the payloads cannot order U1 and FLIP. */
    private static final StateChange FLIP = updated("evt_flip", T, "trialing", false, "active", false);

    /** Stripe's answer to a reactivation of ours in second T (an answer is no event: no previous_attributes). */
    private static final StateChange ANSWER = new StateChange("reactivate:req_2", "answer", T, state("active", false), null);

    private static final JsonNode FETCHED = state("active", true);
    private static final Function<String, Optional<JsonNode>> STRIPE = id -> Optional.of(FETCHED);

    /**
     * @param held the event whose state the row holds (null: none yet)
     * @param sameSecond the stored events of the incoming one's second
     * @param winner the event id whose state wins; null when the state held is kept
     */
    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("no state held yet: the event's", null, C, List.of(), null, "evt_c"),
                Arguments.of("a later second wins", U1, LATER, List.of(), null, "evt_later"),
                Arguments.of("an earlier second is stale", U1, EARLIER, List.of(), null, null),
                Arguments.of("the event already held changes nothing", U1, U1, List.of(), null, null),
                Arguments.of("same second: an update follows the creation", C, U1, List.of(C), null, "evt_u1"),
                Arguments.of("same second: a creation never follows an update", U1, C, List.of(U1), null, null),
                Arguments.of("same second: the deletion follows everything", U2, D, List.of(C, U1, U2), null, "evt_d"),
                Arguments.of("same second: an update after the deletion is stale", D, U3, List.of(C, U1, U2, D), null, null),
                Arguments.of("same second, arrival U1 U3 U2: U2 puts U3 back", U1, U2, List.of(C, U1, U3), null, "evt_u3"),
                Arguments.of("same second, payloads cannot order: Stripe's state, fetched", U1, FLIP, List.of(C, U1), STRIPE, "fetched"),
                Arguments.of("same second, payloads cannot order, no key: the state held stays", U1, FLIP, List.of(C, U1), null, null),
                Arguments.of("same second as an answer, repeating its state: applied", ANSWER, U1, List.of(), null, "evt_u1"),
                Arguments.of("same second as an answer, another state (an earlier action's event): Stripe's, fetched", ANSWER, U2,
                        List.of(), STRIPE, "fetched"),
                Arguments.of("same second as an answer, another state, no key: the answer's state stays", ANSWER, U2, List.of(), null, null),
                Arguments.of("a later second wins over an answer", ANSWER, LATER, List.of(), null, "evt_later"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String rule, StateChange held, StateChange incoming, List<StateChange> sameSecond,
            Function<String, Optional<JsonNode>> fetch, String winner) {
        Held h = held == null ? new Held(null, null) : new Held(held.id(), held.created());
        Decision d = SubscriptionOrdering.decide(h, incoming, () -> sameSecond.stream().filter(e -> !e.id().equals(incoming.id())).toList(),
                fetch, object -> held != null && object.equals(held.object()));
        if (winner == null) {
            assertThat(d.keep()).as(rule + ": " + d.note()).isTrue();
            assertThat(d.note()).as(rule).isNotBlank();
        } else if (winner.equals("fetched")) {
            assertThat(d.state()).as(rule).isSameAs(FETCHED);
            assertThat(d.eventId()).as(rule).isEqualTo(incoming.id());
        } else {
            assertThat(d.keep()).as(rule + ": " + d.note()).isFalse();
            assertThat(d.eventId()).as(rule).isEqualTo(winner);
        }
    }
}
