package dev.billingcli.setup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.CliRunner;
import dev.billingcli.TestPostgres;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.fakestripe.FakeStripeExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code billing doctor}: the production checklist, exit 0 when every check passes, 1 otherwise. */
class DoctorTest {
    @RegisterExtension
    final FakeStripeExtension stripe = new FakeStripeExtension();

    @TempDir
    Path dir;

    @Test
    void aFreshAccountFailsWithHintsThenPassesOnceSetUp() throws Exception {
        FakeStripe fake = stripe.fake();
        CliRunner cli = CliRunner.withRepoPlans(dir).env("STRIPE_SECRET_KEY", "sk_test_FAKE_doctor42").env("STRIPE_API_BASE", fake.url())
                .env("DATABASE_URL", TestPostgres.newDatabaseUrl());

        CliRunner.Result fresh = cli.run("doctor");
        assertThat(fresh.code()).as(fresh.toString()).isEqualTo(1);
        assertThat(fresh.out()).contains("✓ Stripe key: test key sk_test_…or42", "✓ plans.yaml", "✓ database")
                .contains("✗ prices in Stripe", "→ billing stripe:setup")
                .contains("✗ webhook endpoint", "✗ STRIPE_WEBHOOK_SECRET: not set")
                // a fresh account has no portal configuration: 'billing portal' would fail, so doctor says so
                .contains("✗ billing portal: no active billing portal configuration managed by billing in Stripe:"
                        + " run 'billing stripe:setup' (plans.yaml has a portal: block)");
        assertThat(fake.writes()).isEmpty();

        assertThat(cli.run("stripe:setup").code()).isZero();
        assertThat(cli.run("stripe:webhook", "--url", "https://app.test/webhook", "--write-env", ".env").code()).isZero();

        CliRunner.Result ready = cli.run("-o", "json", "doctor");
        assertThat(ready.code()).as(ready.toString()).isZero();
        JsonNode report = new ObjectMapper().readTree(ready.out());
        assertThat(report.get("ok").asBoolean()).isTrue();
        assertThat(report.get("checks")).hasSize(7);
        assertThat(ready.out()).doesNotContain("whsec_");
        String portalId = fake.portalConfigurations().get(0).get("id").asText();
        assertThat(report.get("checks").findValues("detail").stream().map(JsonNode::asText))
                .contains("sessions use " + portalId + " (managed by billing from plans.yaml portal:)");
    }

    @Test
    void aMissingKeyGivesItsHintOnce() {
        CliRunner cli = CliRunner.withRepoPlans(dir).env("DATABASE_URL", TestPostgres.newDatabaseUrl());
        CliRunner.Result r = cli.run("doctor");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.out().lines().findFirst().orElseThrow())
                .isEqualTo("✗ Stripe key: not set  → set STRIPE_SECRET_KEY (environment or .env) or pass --stripe-key");
    }
}
