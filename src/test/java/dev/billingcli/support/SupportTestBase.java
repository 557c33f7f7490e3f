package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.CliRunner;
import dev.billingcli.TestPostgres;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.fakestripe.FakeStripeExtension;
import dev.billingcli.store.Database;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the support tests start from: the stand-in with plans.yaml's products and prices created
 * through {@code stripe:setup}, a fresh real database, and the CLI pointed at both.
 */
abstract class SupportTestBase {
    @RegisterExtension
    final FakeStripeExtension stripe = new FakeStripeExtension();

    @TempDir
    Path dir;

    FakeStripe fake;
    CliRunner cli;
    Database db;
    final long now = Instant.now().getEpochSecond();

    @BeforeEach
    void startStripeAndDatabase() {
        fake = stripe.fake();
        String url = TestPostgres.newDatabaseUrl();
        cli = CliRunner.withRepoPlans(dir).env("STRIPE_SECRET_KEY", "sk_test_FAKE_support77").env("STRIPE_API_BASE", fake.url())
                .env("DATABASE_URL", url);
        assertThat(cli.run("stripe:setup").code()).isZero();
        fake.clearRequests();
        db = Database.open(url, dir, 2, m -> {});
        db.migrate();
    }

    @AfterEach
    void closeDatabase() {
        db.close();
    }

    String priceId(String lookupKey) {
        return fake.prices().stream().filter(p -> lookupKey.equals(p.path("lookup_key").asText(null))).findFirst().orElseThrow()
                .get("id").asText();
    }
}
