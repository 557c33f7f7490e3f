package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.subscription.EffectiveAccess;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.webhook.EventProcessor;
import dev.billingcli.webhook.TestEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code billing pause} and {@code billing resume}: previewed, audited, guarded, written through the ledger from Stripe's answer. */
class PauseResumeTest extends SupportTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();



    private JsonNode audit(String account) throws Exception {
        return JSON.readTree(cli.run("-o", "json", "audit", "--account", account).out()).get("entries");
    }

    @Test
    void pausesThenResumesAndAuditsBoth() throws Exception {
        String id = active("acme").get("id").asText();
        Instant periodEnd = Instant.ofEpochSecond(now + 29 * 86400);

        CliRunner.Result paused = cli.run("pause", "--account", "acme", "--until", "2099-03-31", "--behavior", "keep_as_draft",
                "--reason", "parental leave");
        assertThat(paused.code()).as(paused.toString()).isZero();
        long resumesAt = Instant.parse("2099-04-01T00:00:00Z").getEpochSecond();
        assertThat(paused.out()).isEqualTo("paused collection of " + id + " (keep_as_draft, resumes 2099-04-01T00:00:00Z); access until "
                + periodEnd + ", then free until resumed\n");
        assertThat(fake.writes()).hasSize(1);
        var sent = fake.writes().get(0);
        assertThat(sent.path()).isEqualTo("/v1/subscriptions/" + id);
        assertThat(sent.params()).isEqualTo(Map.of("pause_collection", Map.of("behavior", "keep_as_draft", "resumes_at", Long.toString(resumesAt))));
        assertThat(sent.idempotencyKey()).isNotBlank();
        Subscription s = stored(id).subscription();
        assertThat(s.status()).isEqualTo("active");
        assertThat(s.pauseBehavior()).isEqualTo("keep_as_draft");
        assertThat(s.pauseResumesAt()).isEqualTo(Instant.ofEpochSecond(resumesAt));
        assertThat(s.pausePaidUntil()).isEqualTo(periodEnd);

        JsonNode status = JSON.readTree(cli.run("-o", "json", "status", "--account", "acme").out());
        assertThat(status.get("pauseBehavior").asText()).isEqualTo("keep_as_draft");
        assertThat(status.get("accessReason").asText()).isEqualTo("collection paused, paid until period end");
        assertThat(status.get("accessUntil").asText()).isEqualTo(periodEnd.toString());
        assertThat(cli.run("status", "--account", "acme").out()).contains("Paused    collection paused (keep_as_draft), resumes 1 Apr 2099; paid until "
                + day(periodEnd) + ", then free");

        fake.clearRequests();
        CliRunner.Result resumed = cli.run("resume", "--account", "acme", "--reason", "back early");
        assertThat(resumed.code()).as(resumed.toString()).isZero();
        assertThat(resumed.out()).isEqualTo("resumed collection of " + id + "; it renews on " + periodEnd + "\n");
        assertThat(fake.writes()).hasSize(1);
        assertThat(fake.writes().get(0).params()).isEqualTo(Map.of("pause_collection", ""));
        assertThat(fake.writes().get(0).idempotencyKey()).isNotBlank();
        assertThat(stored(id).subscription().pauseBehavior()).isNull();
        assertThat(stored(id).subscription().pausePaidUntil()).isNull();

        JsonNode audit = audit("acme");
        assertThat(audit).hasSize(2);
        JsonNode pause = audit.get(1).get("command").asText().equals("pause") ? audit.get(1) : audit.get(0);
        JsonNode resume = pause == audit.get(1) ? audit.get(0) : audit.get(1);
        assertThat(pause.get("reason").asText()).isEqualTo("parental leave");
        assertThat(pause.get("before").get("pause_collection").isNull()).isTrue();
        assertThat(pause.get("after").get("pause_collection").asText()).isEqualTo("keep_as_draft");
        assertThat(pause.get("after").get("pause_resumes_at").asText()).isEqualTo("2099-04-01T00:00:00Z");
        assertThat(resume.get("command").asText()).isEqualTo("resume");
        assertThat(resume.get("before").get("pause_collection").asText()).isEqualTo("keep_as_draft");
        assertThat(resume.get("after").get("pause_collection").isNull()).isTrue();

        CliRunner.Result again = cli.run("resume", "--account", "acme", "--reason", "x");
        assertThat(again.code()).isZero();
        assertThat(again.out()).isEqualTo("nothing to resume: collection of " + id + " is not paused\n");
    }

    private static String day(Instant t) {
        return java.time.format.DateTimeFormatter.ofPattern("d MMM yyyy", java.util.Locale.ENGLISH).withZone(java.time.ZoneOffset.UTC).format(t);
    }

    @Test
    void aDryRunShowsTheRequestAndSendsNothing() throws Exception {
        String id = active("acme").get("id").asText();
        CliRunner.Result r = cli.run("-o", "json", "pause", "--account", "acme", "--dry-run");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode json = JSON.readTree(r.out());
        assertThat(json.get("sent").asBoolean()).isFalse();
        assertThat(json.at("/request/path").asText()).isEqualTo("/v1/subscriptions/" + id);
        assertThat(json.at("/request/fields")).isEqualTo(JSON.readTree("{\"pause_collection[behavior]\":\"void\"}"));
        assertThat(json.at("/request/cost").asText()).startsWith("no charge; invoices while paused are voided; access continues until ");
        assertThat(json.get("after").isNull()).isTrue();
        assertThat(fake.requests()).isEmpty();
        assertThat(stored(id).subscription().pauseBehavior()).isNull();

        // paused for real, a dry-run resume sends nothing either
        assertThat(cli.run("pause", "--account", "acme", "--reason", "x").code()).isZero();
        fake.clearRequests();
        CliRunner.Result resume = cli.run("resume", "--account", "acme", "--dry-run");
        assertThat(resume.code()).as(resume.toString()).isZero();
        assertThat(resume.out()).startsWith("dry run: would resume collection of " + id + "; nothing sent\n  POST /v1/subscriptions/" + id
                + " {pause_collection=}\n  cost: no charge now");
        assertThat(fake.requests()).isEmpty();
        assertThat(stored(id).subscription().pauseBehavior()).isEqualTo("void");
        assertThat(audit("acme")).hasSize(1);
    }

    @Test
    void refusesALiveKeyBadInputAndNoSubscription() {
        active("acme");
        CliRunner.Result live = cli.env("STRIPE_SECRET_KEY", "sk_live_FAKE_support77").run("pause", "--account", "acme", "--reason", "x");
        assertThat(live.code()).as(live.toString()).isEqualTo(4);
        CliRunner.Result liveResume = cli.run("resume", "--account", "acme", "--reason", "x");
        assertThat(liveResume.code()).as(liveResume.toString()).isZero(); // nothing paused: nothing to send, no key needed
        assertThat(fake.requests()).isEmpty();
        cli.env("STRIPE_SECRET_KEY", "sk_test_FAKE_support77");

        CliRunner.Result noReason = cli.run("pause", "--account", "acme");
        assertThat(noReason.code()).isEqualTo(2);
        assertThat(noReason.err()).isEqualTo("billing: --reason is required for a write (it goes to the audit log); --dry-run needs none\n");
        CliRunner.Result behavior = cli.run("pause", "--account", "acme", "--behavior", "later", "--reason", "x");
        assertThat(behavior.code()).isEqualTo(2);
        assertThat(behavior.err()).isEqualTo("billing: --behavior must be one of void, keep_as_draft, mark_uncollectible, got later\n");
        CliRunner.Result past = cli.run("pause", "--account", "acme", "--until", "2001-01-01", "--reason", "x");
        assertThat(past.code()).isEqualTo(2);
        assertThat(past.err()).isEqualTo("billing: --until 2001-01-02T00:00:00Z is not in the future\n");
        assertThat(fake.requests()).isEmpty();

        // paused: a live resume is refused before any request
        assertThat(cli.run("pause", "--account", "acme", "--reason", "x").code()).isZero();
        fake.clearRequests();
        CliRunner.Result liveAgain = cli.env("STRIPE_SECRET_KEY", "sk_live_FAKE_support77").run("resume", "--account", "acme", "--reason", "x");
        assertThat(liveAgain.code()).as(liveAgain.toString()).isEqualTo(4);
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void theWebhookThatFollowsChangesNothingAndARenewalDuringThePauseDoesNotExtendAccess() throws Exception {
        String id = active("acme").get("id").asText();
        Instant paidUntil = Instant.ofEpochSecond(now + 29 * 86400);
        assertThat(cli.run("pause", "--account", "acme", "--reason", "parental leave").code()).isZero();
        SubscriptionStore.Stored afterPause = stored(id);

        // Stripe's customer.subscription.updated for the same change, in the same second as its answer
        ObjectNode object = fake.subscription(id).deepCopy();
        ObjectNode previous = JSON.createObjectNode();
        previous.putNull("pause_collection");
        EventProcessor processor = new EventProcessor(db, TestEvents.catalog(), null);
        processor.process(TestEvents.parse(TestEvents.event("evt_pause_1", "customer.subscription.updated",
                afterPause.lastEventCreated().getEpochSecond(), object, previous)));
        assertThat(stored(id).subscription()).isEqualTo(afterPause.subscription());
        assertThat(audit("acme")).hasSize(1);

        // a month later Stripe renews the paused subscription (its invoice voided): the period moves, access does not
        ObjectNode renewed = object.deepCopy();
        long nextEnd = now + 59 * 86400;
        ((ObjectNode) renewed.at("/items/data/0")).put("current_period_start", now + 29 * 86400).put("current_period_end", nextEnd);
        ObjectNode before = JSON.createObjectNode();
        before.putObject("items").set("data", object.at("/items/data").deepCopy());
        processor.process(TestEvents.parse(TestEvents.event("evt_pause_2", "customer.subscription.updated",
                afterPause.lastEventCreated().getEpochSecond() + 60, renewed, before)));
        Subscription s = stored(id).subscription();
        assertThat(s.currentPeriodEnd()).isEqualTo(Instant.ofEpochSecond(nextEnd));
        assertThat(s.pausePaidUntil()).isEqualTo(paidUntil);
        EffectiveAccess later = EffectiveAccess.of(s, "free", 3, paidUntil.plus(Duration.ofDays(1)));
        assertThat(later).isEqualTo(new EffectiveAccess("free", "collection paused, paid period over (until resumed)", null));
        assertThat(EffectiveAccess.of(s, "free", 3, paidUntil.minus(Duration.ofDays(1))))
                .isEqualTo(new EffectiveAccess("pro", "collection paused, paid until period end", paidUntil));
    }
}
