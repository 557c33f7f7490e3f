package dev.billingcli.webhook;

import dev.billingcli.trigger.Trigger;
import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.CliRunner;
import dev.billingcli.CliRunner.Result;
import dev.billingcli.TestPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The handler map is the table of contents: registration, handling and trigger payloads agree with it. */
class HandlersTest {
    @TempDir
    Path dir;

    @Test
    void everyHandledTypeHasAHandlerNamedAfterItAndAPayloadFile() {
        for (String type : Handlers.TYPES) {
            String expected = java.util.Arrays.stream(type.split("[._]"))
                    .map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1)).reduce("", String::concat) + "Handler";
            assertThat(Handlers.forType(type).getClass().getSimpleName()).as(type).isEqualTo(expected);
        }
        assertThat(Trigger.types()).isEqualTo(Handlers.TYPES);
        assertThat(Handlers.forType("payout.paid")).isNull();
    }

    @Test
    void everyTriggerPayloadIsAcceptedAndProcessedLocally() {
        CliRunner cli = CliRunner.withRepoPlans(dir).env("DATABASE_URL", TestPostgres.newDatabaseUrl())
                .env("STRIPE_WEBHOOK_SECRET", "whsec_handlers_test");
        for (String type : Handlers.TYPES) {
            // an account (so a subscription) per type: each event is the first of its subscription
            Result r = cli.run("webhook", "trigger", type, "--account", "acme-" + type, "--plan", "business", "--cycle", "yearly", "--local");
            assertThat(r.code()).as(type + "\n" + r).isZero();
            assertThat(r.out()).as(type).contains(type + " → applied");
        }
        Result bad = cli.run("webhook", "trigger", "charge.refunded", "--account", "acme", "--local");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("no payload for event type charge.refunded");
        assertThat(cli.run("webhook", "trigger", "invoice.paid", "--account", "acme", "--plan", "enterprise", "--local").err())
                .contains("plan enterprise has no monthly price");
        assertThat(cli.run("webhook", "trigger", "invoice.paid", "--account", "acme", "--plan", "nope", "--local").code()).isEqualTo(2);
    }
}
