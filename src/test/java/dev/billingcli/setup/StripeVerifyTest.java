package dev.billingcli.setup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.fakestripe.FakeStripe;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code billing stripe:verify}: read-only, exit 0 in sync, 1 drift, 2 invalid plans.yaml, 3 Stripe failed. */
class StripeVerifyTest extends StripeCliTestBase {
    @Test
    void anEmptyAccountIsDriftListingEveryMissingObject() throws Exception {
        CliRunner.Result r = cli.run("-o", "json", "stripe:verify");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertThat(report.get("inSync").asBoolean()).isFalse();
        assertThat(report.get("differences").toString())
                .contains("missing product billing_pro", "missing product billing_business", "missing billing portal configuration");
        assertThat(fake.writes()).isEmpty();
    }

    @Test
    void inSyncAfterSetupThenEachKindOfDriftIsReportedOnOneLine() throws Exception {
        assertThat(cli.run("stripe:setup").code()).isZero();
        fake.clearRequests();
        CliRunner.Result ok = cli.run("stripe:verify");
        assertThat(ok.code()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("Stripe matches plans.yaml (3 products, 5 prices, portal configuration)");
        assertThat(fake.writes()).isEmpty();

        // someone edits things in the dashboard
        priceWithKey("pro_yearly").put("active", false);
        priceWithKey("business_monthly").put("unit_amount", 3100);
        fake.product("billing_credits_pack").put("name", "Credits");
        fake.portalConfigurations().get(0).with("business_profile").put("headline", "Hello");

        CliRunner.Result drift = cli.run("stripe:verify");
        assertThat(drift.code()).as(drift.toString()).isEqualTo(1);
        assertThat(drift.out()).contains("price archived: pro_yearly")
                .contains("business_monthly: amount 31.00 in Stripe, 29.00 in plans.yaml")
                .contains("billing_credits_pack")
                .contains("portal configuration").contains("headline")
                .contains("4 difference(s)");
        assertThat(fake.writes()).isEmpty();

        CliRunner.Result json = cli.run("-o", "json", "stripe:verify");
        assertThat(json.code()).isEqualTo(1);
        JsonNode report = new ObjectMapper().readTree(json.out());
        assertThat(report.get("differences")).hasSize(4);
        assertThat(report.get("differences").get(0).get("kind").asText()).isNotBlank();
    }

    @Test
    void anUnreachableStandInIsOneLineNamingItsHostAndTheCause() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        cli.env("STRIPE_API_BASE", "http://127.0.0.1:" + port);
        CliRunner.Result r = cli.run("stripe:verify");
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err().lines()).containsExactly("billing: cannot reach Stripe at http://127.0.0.1:" + port
                + " to list prices by lookup key: connection refused");
    }

    @Test
    void worksWithARestrictedReadOnlyKey() {
        assertThat(cli.run("stripe:setup").code()).isZero();
        fake.clearRequests();
        fake.restrictedKeysReadOnly(true);
        cli.env("STRIPE_SECRET_KEY", "rk_test_FAKE_readonly5678");
        CliRunner.Result r = cli.run("stripe:verify");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(fake.writes()).isEmpty();
    }

    @Test
    void invalidPlansYamlIsExit2AndNothingIsSent() throws Exception {
        Path plans = dir.resolve("plans.yaml");
        Files.writeString(plans, Files.readString(plans).replace("monthly: \"9.90\"", "monthly: \"9,90\""));
        CliRunner.Result r = cli.run("stripe:verify");
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("plans.yaml:").contains("plans.pro.prices.monthly");
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void aRefusedKeyIsExit3WithoutTheKey() {
        fake.revokeKey("sk_test_FAKE_revoked9999");
        cli.env("STRIPE_SECRET_KEY", "sk_test_FAKE_revoked9999");
        CliRunner.Result r = cli.run("stripe:verify");
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("sk_test_FAKE_revoked-9999");
    }

    @Test
    void anUnreachableStripeIsExit3() {
        cli.env("STRIPE_API_BASE", "http://127.0.0.1:1");
        CliRunner.Result r = cli.run("stripe:verify");
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err().lines().count()).isEqualTo(1);
    }
}
