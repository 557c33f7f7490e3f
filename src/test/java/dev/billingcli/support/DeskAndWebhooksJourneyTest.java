package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.webhook.EventProcessor;
import dev.billingcli.webhook.Outcome;
import dev.billingcli.webhook.TestEvents;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Support cancels through the CLI and, in the same second, reactivates (or pauses, then resumes); Stripe then sends the two
 * {@code customer.subscription.updated} events those requests made, in either order and each twice, while billing has
 * already written both answers. Whatever arrives, the subscription must never read "cancels at the period end" again:
 * the desk's last word was the reactivation. With a Stripe key (webhook-serve's usual setup) and without.
 */
class DeskAndWebhooksJourneyTest extends SupportTestBase {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The second of every answer of the test: the desk acts quickly. */
    private final Instant second = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);

    /** acme's running pro monthly subscription; the stand-in dates its answers from now on in {@link #second}. */
    private String acmeRunning() {
        ObjectNode sub = seedSubscription("acme", "pro_monthly", "active", now - 10 * 86400, now + 20 * 86400, Map.of("account_id", "acme"), s -> {});
        fake.answerDate(second);
        return sub.get("id").asText();
    }

    /** webhook-serve's core, with a Stripe key (it fetches the subscription from the stand-in) or without. */
    private EventProcessor processor(boolean key) {
        Function<String, Optional<JsonNode>> stripeNow = key ? x -> Optional.of(fake.subscription(x).deepCopy()) : null;
        return new EventProcessor(db, TestEvents.catalog(), stripeNow);
    }

    @ParameterizedTest(name = "webhooks {0}, Stripe key {1}")
    @CsvSource({"cancel-first, true", "reactivate-first, true", "cancel-first, false", "reactivate-first, false"})
    void aLateWebhookOfTheCancellationNeverUndoesTheReactivationOfTheSameSecond(String order, boolean key) throws Exception {
        String id = acmeRunning();

        CliRunner.Result cancel = cli.run("cancel", "--account", "acme", "--reason", "asked by email");
        assertThat(cancel.code()).as(cancel.toString()).isZero();
        JsonNode canceled = fake.subscription(id).deepCopy();
        assertThat(stored(id).lastEventCreated()).isEqualTo(second); // the answer's Date is the time of the state it holds
        CliRunner.Result reactivate = cli.run("reactivate", "--account", "acme", "--reason", "changed their mind");
        assertThat(reactivate.code()).as(reactivate.toString()).isZero();
        JsonNode reactivated = fake.subscription(id).deepCopy();
        assertThat(stored(id).subscription().cancelAtPeriodEnd()).isFalse();

        ObjectNode wasRunning = JSON.createObjectNode().put("cancel_at_period_end", false).putNull("cancel_at");
        ObjectNode wasCanceling = JSON.createObjectNode().put("cancel_at_period_end", true)
                .set("cancel_at", canceled.get("cancel_at"));
        String e1 = TestEvents.event("evt_desk_cancel", "customer.subscription.updated", second.getEpochSecond(), canceled, wasRunning);
        String e2 = TestEvents.event("evt_desk_reactivate", "customer.subscription.updated", second.getEpochSecond(), reactivated,
                wasCanceling);
        EventProcessor processor = processor(key);

        List<String> deliveries = order.equals("cancel-first") ? List.of(e1, e2, e1, e2) : List.of(e2, e1, e2, e1);
        for (String delivery : deliveries) {
            var r = processor.process(TestEvents.parse(delivery));
            assertThat(r.outcome()).as(r.toString()).isNotEqualTo(Outcome.FAILED);
            assertThat(stored(id).subscription().cancelAtPeriodEnd()).as("after " + TestEvents.parse(delivery).id() + ": " + r)
                    .isFalse();
            assertThat(stored(id).subscription().cancelAt()).isNull();
        }
    }

    @ParameterizedTest(name = "webhooks {0}, Stripe key {1}")
    @CsvSource({"pause-first, true", "resume-first, true", "pause-first, false", "resume-first, false"})
    void aLateWebhookOfThePauseNeverPausesAgainAfterTheResumeOfTheSameSecond(String order, boolean key) throws Exception {
        String id = acmeRunning();

        assertThat(cli.run("pause", "--account", "acme", "--reason", "parental leave").code()).isZero();
        JsonNode paused = fake.subscription(id).deepCopy();
        assertThat(stored(id).subscription().pauseBehavior()).isEqualTo("void");
        assertThat(cli.run("resume", "--account", "acme", "--reason", "back early").code()).isZero();
        JsonNode resumed = fake.subscription(id).deepCopy();
        assertThat(stored(id).subscription().pauseBehavior()).isNull();

        ObjectNode wasCollecting = JSON.createObjectNode().putNull("pause_collection");
        ObjectNode wasPaused = JSON.createObjectNode().set("pause_collection", paused.get("pause_collection"));
        String e1 = TestEvents.event("evt_desk_pause", "customer.subscription.updated", second.getEpochSecond(), paused, wasCollecting);
        String e2 = TestEvents.event("evt_desk_resume", "customer.subscription.updated", second.getEpochSecond(), resumed, wasPaused);
        EventProcessor processor = processor(key);

        for (String delivery : order.equals("pause-first") ? List.of(e1, e2, e1, e2) : List.of(e2, e1, e2, e1)) {
            var r = processor.process(TestEvents.parse(delivery));
            assertThat(r.outcome()).as(r.toString()).isNotEqualTo(Outcome.FAILED);
            assertThat(stored(id).subscription().pauseBehavior()).as("after " + TestEvents.parse(delivery).id() + ": " + r).isNull();
        }
    }
}
