package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.CliRunner;
import dev.billingcli.TestPostgres;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.fakestripe.FakeStripeExtension;
import dev.billingcli.store.Database;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.subscription.Subscription;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
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

    /**
     * A subscription as a checkout leaves it: made in the stand-in (its price on the one item, the period on
     * the item), and stored in the database, linked to its account, as of its period start. The stand-in's
     * request journal is cleared, so a test sees only its own requests.
     *
     * @param adjust changes the Stripe object before it is stored (trial dates, say)
     */
    ObjectNode seedSubscription(String account, String lookupKey, String status, long periodStart, long periodEnd,
            Map<String, String> metadata, Consumer<ObjectNode> adjust) {
        String customer = fake.newCustomer(account).get("id").asText();
        ObjectNode sub = fake.newSubscription(customer, priceId(lookupKey), status, periodStart, periodEnd, metadata);
        adjust.accept(sub);
        db.useTransaction(tx -> {
            tx.accounts().linkCustomer(account, customer);
            Subscription s = Subscription.fromStripe(sub, k -> Optional.of(k.substring(0, k.lastIndexOf('_')))).withAccount(account);
            tx.subscriptions().insertIfAbsent(s, Instant.ofEpochSecond(periodStart), "evt_seed_" + account);
        });
        fake.clearRequests();
        return sub;
    }

    /** An active pro_monthly subscription that started a day ago. */
    ObjectNode active(String account) {
        return seedSubscription(account, "pro_monthly", "active", now - 86400, now + 29 * 86400, Map.of("account_id", account), s -> {});
    }

    SubscriptionStore.Stored stored(String id) {
        return db.read(tx -> tx.subscriptions().find(id).orElseThrow());
    }
}
