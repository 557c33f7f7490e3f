package dev.billingcli.setup;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.fakestripe.FakeStripeExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The catalog commands' tests: a fresh stand-in per test and the CLI pointed at it with a test key. */
abstract class StripeCliTestBase {
    /** A test key; the tests check that it never appears whole in any output. */
    static final String KEY = "sk_test_FAKE_setup_p7dc";

    @RegisterExtension
    final FakeStripeExtension stripe = new FakeStripeExtension();

    @TempDir
    Path dir;

    FakeStripe fake;
    CliRunner cli;

    @BeforeEach
    void pointTheCliAtTheStandIn() {
        fake = stripe.fake();
        cli = CliRunner.withRepoPlans(dir).env("STRIPE_SECRET_KEY", KEY).env("STRIPE_API_BASE", fake.url());
    }

    ObjectNode priceWithKey(String key) {
        return fake.prices().stream().filter(p -> p.hasNonNull("lookup_key") && key.equals(p.get("lookup_key").asText()))
                .findFirst().orElseThrow();
    }
}
