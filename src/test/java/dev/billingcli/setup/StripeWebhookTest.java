package dev.billingcli.setup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.Stripe;
import dev.billingcli.CliRunner;
import dev.billingcli.fakestripe.FakeStripe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code billing stripe:webhook}: one endpoint, the handled events, the pinned API version, the secret once. */
class StripeWebhookTest extends StripeCliTestBase {
    private static final String URL = "https://app.example.com/webhook";

    private static List<String> events(ObjectNode endpoint) {
        List<String> types = new ArrayList<>();
        endpoint.get("enabled_events").forEach(t -> types.add(t.asText()));
        return types;
    }

    @Test
    void createsOnceShowsTheSecretOnceThenReportsUpToDate() {
        CliRunner.Result created = cli.run("stripe:webhook", "--url", URL);
        assertThat(created.code()).as(created.toString()).isZero();
        assertThat(fake.webhookEndpoints()).hasSize(1);
        ObjectNode endpoint = fake.webhookEndpoints().get(0);
        assertThat(endpoint.get("api_version").asText()).isEqualTo(Stripe.API_VERSION);
        assertThat(events(endpoint)).contains("checkout.session.completed", "customer.subscription.updated", "invoice.payment_failed");
        // Stripe returns the secret in the creation answer only; the command prints it once
        assertThat(endpoint.has("secret")).isFalse();
        String secret = created.out().replaceAll("(?s).*(whsec_\\w+).*", "$1");
        assertThat(secret).startsWith("whsec_");

        fake.clearRequests();
        CliRunner.Result again = cli.run("stripe:webhook", "--url", URL);
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("up to date").doesNotContain(secret);
        assertThat(fake.writes()).isEmpty();
        assertThat(fake.webhookEndpoints()).hasSize(1);
    }

    @Test
    void writeEnvStoresTheSecretWithoutPrintingIt() throws Exception {
        cli.write(".env.local", "OTHER=1\n");
        CliRunner.Result r = cli.run("stripe:webhook", "--url", URL, "--write-env", ".env.local");
        assertThat(r.code()).as(r.toString()).isZero();
        String env = Files.readString(dir.resolve(".env.local"));
        assertThat(env).matches("OTHER=1\nSTRIPE_WEBHOOK_SECRET=whsec_\\w+\n");
        String secret = env.substring(env.indexOf("whsec_")).trim();
        assertThat(r.out()).doesNotContain(secret).contains("whsec_…");
    }

    @Test
    void anEndpointWithMissingEventsIsUpdatedInPlace() {
        assertThat(cli.run("stripe:webhook", "--url", URL).code()).isZero();
        ObjectNode endpoint = fake.webhookEndpoints().get(0);
        endpoint.putArray("enabled_events").add("invoice.paid");
        fake.clearRequests();
        CliRunner.Result r = cli.run("stripe:webhook", "--url", URL);
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("updated endpoint");
        assertThat(fake.writes()).hasSize(1);
        assertThat(events(fake.webhookEndpoints().get(0))).contains("customer.subscription.deleted");
    }

    @Test
    void anotherApiVersionIsReportedAndRecreatedOnlyWhenAsked() {
        assertThat(cli.run("stripe:webhook", "--url", URL).code()).isZero();
        ObjectNode endpoint = fake.webhookEndpoints().get(0);
        endpoint.put("api_version", "2024-06-20");
        String oldId = endpoint.get("id").asText();
        fake.clearRequests();

        CliRunner.Result refused = cli.run("stripe:webhook", "--url", URL);
        assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.out()).contains("2024-06-20").contains("--recreate");
        assertThat(fake.writes()).isEmpty();

        CliRunner.Result recreated = cli.run("stripe:webhook", "--url", URL, "--recreate");
        assertThat(recreated.code()).as(recreated.toString()).isZero();
        assertThat(fake.webhookEndpoints()).hasSize(1);
        assertThat(fake.webhookEndpoints().get(0).get("id").asText()).isNotEqualTo(oldId);
        assertThat(fake.webhookEndpoints().get(0).get("api_version").asText()).isEqualTo(Stripe.API_VERSION);
    }

    @Test
    void aLiveKeyWithoutLiveIsRefusedAndABadUrlIsUsage() {
        CliRunner.Result live = cli.env("STRIPE_SECRET_KEY", "sk_live_FAKE_hook4321").run("stripe:webhook", "--url", URL);
        assertThat(live.code()).as(live.toString()).isEqualTo(4);
        assertThat(fake.requests()).isEmpty();
        CliRunner.Result bad = cli.run("stripe:webhook", "--url", "ftp://x");
        assertThat(bad.code()).as(bad.toString()).isEqualTo(2);
    }
}
