package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.CliRunner;
import dev.billingcli.fakestripe.FakeStripe;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code checkout --currency} and plans.yaml's {@code checkout: { automatic_tax: true }}, as sent to the stand-in. */
class CheckoutCurrencyTest extends SupportTestBase {
    private void edit(String from, String to) throws Exception {
        Path plans = dir.resolve("plans.yaml");
        String yaml = Files.readString(plans);
        assertThat(yaml).contains(from);
        Files.writeString(plans, yaml.replace(from, to));
    }

    /** pro in EUR, USD and GBP; the catalog set up again in Stripe. */
    private void threeCurrencies() throws Exception {
        edit("currency: eur\n", "currency: eur\ncurrencies: [usd, gbp]\n");
        edit("prices: { monthly: \"9.90\", yearly: \"99.00\" }",
                "prices:\n      monthly: { eur: \"9.90\", usd: \"10.90\", gbp: \"8.90\" }\n      yearly: { eur: \"99.00\", usd: \"109.00\", gbp: \"89.00\" }");
        edit("prices: { monthly: \"29.00\", yearly: \"290.00\" }",
                "prices: { monthly: { eur: \"29.00\", usd: \"32.00\", gbp: \"25.00\" }, yearly: { eur: \"290.00\", usd: \"320.00\", gbp: \"250.00\" } }");
        edit("prices: { once: \"19.00\" }", "prices: { once: { eur: \"19.00\", usd: \"21.00\", gbp: \"17.00\" } }");
        CliRunner.Result setup = cli.run("stripe:setup");
        assertThat(setup.code()).as(setup.toString()).isZero();
        fake.clearRequests();
    }

    private FakeStripe.Request session() {
        return fake.writes().stream().filter(w -> w.path().equals("/v1/checkout/sessions")).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void currencySendsThatCurrencyOnTheSession() throws Exception {
        threeCurrencies();
        CliRunner.Result r = cli.run("checkout", "--account", "acme", "--plan", "pro", "--currency", "usd");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("pro monthly (10.90 USD)");
        assertThat(session().fields()).containsEntry("currency", "usd").containsEntry("line_items[0][price]", priceId("pro_monthly"))
                .doesNotContainKey("automatic_tax[enabled]").doesNotContainKey("customer_update[address]");

        CliRunner.Result json = cli.run("-o", "json", "checkout", "--account", "globex", "--plan", "credits_pack", "--currency", "GBP");
        assertThat(json.code()).as(json.toString()).isZero();
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertThat(j.get("currency").asText()).isEqualTo("gbp");
        assertThat(j.get("automaticTax").asBoolean()).isFalse();
        assertThat(session().fields()).containsEntry("currency", "gbp");

        // without --currency Checkout picks one from the customer's location: nothing is sent
        assertThat(cli.run("checkout", "--account", "initech", "--plan", "pro").code()).isZero();
        assertThat(session().fields()).doesNotContainKey("currency");
    }

    @Test
    void aCurrencyOutsideTheCatalogIsOneLineExitTwoAndNothingSent() throws Exception {
        threeCurrencies();
        CliRunner.Result r = cli.run("checkout", "--account", "acme", "--plan", "pro", "--currency", "chf");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("billing: --currency chf is not one of plans.yaml's currencies (eur, usd, gbp)\n");
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void onAFreshAccountAutomaticTaxIsRefusedByStripeAndDoctorSaysWhyUntilStripeTaxIsSetUp() throws Exception {
        edit("checkout:\n", "checkout:\n  automatic_tax: true\n");
        CliRunner.Result refused = cli.run("checkout", "--account", "acme", "--plan", "business");
        assertThat(refused.code()).as(refused.toString()).isNotZero();
        assertThat(refused.err()).contains("Stripe Tax has not been activated on your account").doesNotContain("Exception").hasLineCount(1);
        assertThat(fake.checkoutSessions()).isEmpty();
        CliRunner.Result doctor = cli.run("doctor");
        assertThat(doctor.out()).contains("✗ Stripe Tax: not active (missing: head_office); plans.yaml checkout.automatic_tax asks for it and"
                + " Stripe refuses such checkouts until it is set up  → set up Stripe Tax: https://dashboard.stripe.com/settings/tax");

        fake.taxHeadOffice("DE"); // set up in the Dashboard
        assertThat(cli.run("doctor").out()).contains("✓ Stripe Tax: active (head office DE)");
        assertThat(cli.run("checkout", "--account", "acme", "--plan", "business").code()).isZero();
    }

    @Test
    void automaticTaxFromPlansYamlEnablesStripeTaxAndSavesTheAddressEnteredToTheCustomer() throws Exception {
        edit("checkout:\n", "checkout:\n  automatic_tax: true\n");
        fake.taxHeadOffice("DE");
        CliRunner.Result r = cli.run("checkout", "--account", "acme", "--plan", "business", "--currency", "eur");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("business monthly (29.00 EUR + tax by Stripe Tax)");
        assertThat(session().fields()).containsEntry("automatic_tax[enabled]", "true").containsEntry("customer_update[address]", "auto")
                .containsEntry("currency", "eur");
        assertThat(fake.checkoutSessions().get(0).at("/automatic_tax/enabled").asBoolean()).isTrue();
    }

    @Test
    void aCurrencyPlansYamlHasButStripesPriceLacksSaysToRunSetupAndSendsNoSession() throws Exception {
        edit("currency: eur\n", "currency: eur\ncurrencies: [usd]\n");
        edit("prices: { monthly: \"9.90\", yearly: \"99.00\" }", "prices: { monthly: { eur: \"9.90\", usd: \"10.90\" }, yearly: { eur: \"99.00\", usd: \"109.00\" } }");
        edit("prices: { monthly: \"29.00\", yearly: \"290.00\" }", "prices: { monthly: { eur: \"29.00\", usd: \"32.00\" }, yearly: { eur: \"290.00\", usd: \"320.00\" } }");
        edit("prices: { once: \"19.00\" }", "prices: { once: { eur: \"19.00\", usd: \"21.00\" } }");
        // stripe:setup not run since: the prices in Stripe are EUR only
        CliRunner.Result r = cli.run("checkout", "--account", "acme", "--plan", "pro", "--currency", "usd");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("billing: the pro_monthly price in Stripe (" + priceId("pro_monthly")
                + ") has no USD amount yet: run 'billing stripe:setup'\n");
        assertThat(fake.count("POST", "/v1/checkout/sessions")).isZero();
    }
}
