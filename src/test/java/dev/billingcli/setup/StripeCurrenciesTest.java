package dev.billingcli.setup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.fakestripe.FakeStripe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Prices in several currencies ({@code currency_options}) and tax behaviour, through stripe:setup and stripe:verify. */
class StripeCurrenciesTest extends StripeCliTestBase {
    /** The repository's plans.yaml with every price in EUR, USD and GBP, tax exclusive. */
    private void multiCurrencyPlans(String taxBehavior) throws Exception {
        edit("currency: eur\n", "currency: eur\ncurrencies: [usd, gbp]\n" + (taxBehavior == null ? "" : "tax_behavior: " + taxBehavior + "\n"));
        edit("prices: { monthly: \"9.90\", yearly: \"99.00\" }",
                "prices:\n      monthly: { eur: \"9.90\", usd: \"10.90\", gbp: \"8.90\" }\n      yearly: { eur: \"99.00\", usd: \"109.00\", gbp: \"89.00\" }");
        edit("prices: { monthly: \"29.00\", yearly: \"290.00\" }",
                "prices:\n      monthly: { eur: \"29.00\", usd: \"32.00\", gbp: \"25.00\" }\n      yearly: { eur: \"290.00\", usd: \"320.00\", gbp: \"250.00\" }");
        edit("prices: { once: \"19.00\" }", "prices: { once: { eur: \"19.00\", usd: \"21.00\", gbp: \"17.00\" } }");
    }

    private void edit(String from, String to) throws Exception {
        Path plans = dir.resolve("plans.yaml");
        String yaml = Files.readString(plans);
        assertThat(yaml).contains(from);
        Files.writeString(plans, yaml.replace(from, to));
    }

    private FakeStripe.Request priceCreate(String lookupKey) {
        return fake.writes().stream().filter(w -> w.path().equals("/v1/prices") && lookupKey.equals(w.fields().get("lookup_key")))
                .findFirst().orElseThrow();
    }

    @Test
    void aThreeCurrencyPriceIsOneStripePriceWithCurrencyOptionsAndARerunWritesNothing() throws Exception {
        multiCurrencyPlans("exclusive");
        CliRunner.Result r = cli.run("stripe:setup");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("for pro_monthly (9.90 EUR, 10.90 USD, 8.90 GBP)");

        Map<String, String> expected = new TreeMap<>(Map.ofEntries(
                Map.entry("product", "billing_pro"), Map.entry("currency", "eur"), Map.entry("unit_amount", "990"),
                Map.entry("tax_behavior", "exclusive"),
                Map.entry("currency_options[usd][unit_amount]", "1090"), Map.entry("currency_options[usd][tax_behavior]", "exclusive"),
                Map.entry("currency_options[gbp][unit_amount]", "890"), Map.entry("currency_options[gbp][tax_behavior]", "exclusive"),
                Map.entry("recurring[interval]", "month"), Map.entry("lookup_key", "pro_monthly"),
                Map.entry("metadata[managed_by]", "billing"), Map.entry("metadata[billing_plan]", "pro"),
                Map.entry("metadata[billing_cycle]", "monthly")));
        assertThat(priceCreate("pro_monthly").fields()).isEqualTo(expected);
        // one price per plan and cycle, so one lookup key for every currency; each price carries the tax behaviour
        assertThat(fake.count("POST", "/v1/prices")).isEqualTo(5);
        for (String key : List.of("pro_monthly", "pro_yearly", "business_monthly", "business_yearly", "credits_pack_once")) {
            assertThat(priceCreate(key).fields()).containsEntry("tax_behavior", "exclusive")
                    .containsEntry("currency_options[usd][tax_behavior]", "exclusive").containsEntry("currency_options[gbp][tax_behavior]", "exclusive");
        }
        ObjectNode stored = priceWithKey("credits_pack_once");
        assertThat(stored.at("/currency_options/usd/unit_amount").asLong()).isEqualTo(2100);
        assertThat(stored.at("/currency_options/gbp/unit_amount").asLong()).isEqualTo(1700);
        assertThat(stored.get("tax_behavior").asText()).isEqualTo("exclusive");

        fake.clearRequests();
        CliRunner.Result again = cli.run("stripe:setup");
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("nothing to do");
        assertThat(fake.writes()).isEmpty();
        // the amounts in every currency were compared: the price list asked Stripe for currency_options
        assertThat(fake.requests().stream().filter(q -> q.path().equals("/v1/prices")).findFirst().orElseThrow().fields())
                .containsValue("data.currency_options");
        assertThat(cli.run("stripe:verify").code()).isZero();
    }

    @Test
    void aChangedUsdAmountIsDriftAndThenANewPriceThatTakesOverTheLookupKey() throws Exception {
        multiCurrencyPlans("exclusive");
        assertThat(cli.run("stripe:setup").code()).isZero();
        String oldId = priceWithKey("pro_monthly").get("id").asText();
        edit("usd: \"10.90\"", "usd: \"11.90\"");
        fake.clearRequests();

        CliRunner.Result verify = cli.run("stripe:verify");
        assertThat(verify.code()).as(verify.toString()).isEqualTo(1);
        assertThat(verify.out()).contains("pro_monthly: USD amount 10.90 in Stripe, 11.90 in plans.yaml").contains("switchable prices").contains("2 difference(s)"); // the portal follows the new price
        assertThat(fake.writes()).isEmpty();

        CliRunner.Result r = cli.run("stripe:setup");
        assertThat(r.code()).as(r.toString()).isZero();
        ObjectNode current = priceWithKey("pro_monthly");
        assertThat(current.get("id").asText()).isNotEqualTo(oldId);
        assertThat(fake.price(oldId).get("active").asBoolean()).isFalse();
        assertThat(priceCreate("pro_monthly").fields()).containsEntry("currency_options[usd][unit_amount]", "1190")
                .containsEntry("currency_options[gbp][unit_amount]", "890").containsEntry("unit_amount", "990")
                .containsEntry("transfer_lookup_key", "true");
        assertThat(r.out()).contains("archived price " + oldId);

        fake.clearRequests();
        assertThat(cli.run("stripe:setup").code()).isZero();
        assertThat(fake.writes()).isEmpty();
    }

    @Test
    void currencyDriftMadeInStripeIsReportedByVerifyWithExitOne() throws Exception {
        multiCurrencyPlans("exclusive");
        assertThat(cli.run("stripe:setup").code()).isZero();
        // someone edits the GBP amount in the Dashboard and drops USD from another price
        ((ObjectNode) priceWithKey("business_yearly").at("/currency_options/gbp")).put("unit_amount", 26000);
        ((ObjectNode) priceWithKey("pro_yearly").get("currency_options")).remove("usd");
        fake.clearRequests();

        CliRunner.Result r = cli.run("stripe:verify");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("business_yearly: GBP amount 260.00 in Stripe, 250.00 in plans.yaml")
                .contains("pro_yearly: no USD amount in Stripe, 109.00 in plans.yaml").contains("3 difference(s)"); // + the portal
        assertThat(fake.writes()).isEmpty();

        // a currency added to currencies: is missing from every price
        edit("currencies: [usd, gbp]", "currencies: [usd, gbp, chf]");
        edit("gbp: \"8.90\" }", "gbp: \"8.90\", chf: \"9.50\" }");
        edit("gbp: \"89.00\" }", "gbp: \"89.00\", chf: \"95.00\" }");
        edit("gbp: \"25.00\" }", "gbp: \"25.00\", chf: \"28.00\" }");
        edit("gbp: \"250.00\" }", "gbp: \"250.00\", chf: \"280.00\" }");
        edit("gbp: \"17.00\" }", "gbp: \"17.00\", chf: \"18.00\" }");
        CliRunner.Result more = cli.run("stripe:verify");
        assertThat(more.code()).as(more.toString()).isEqualTo(1);
        assertThat(more.out()).contains("pro_monthly: no CHF amount in Stripe, 9.50 in plans.yaml");
    }

    @Test
    void aTaxBehaviourIsSetOnceInPlaceAndAChangedOneIsANewPrice() throws Exception {
        multiCurrencyPlans(null);
        assertThat(cli.run("stripe:setup").code()).isZero();
        assertThat(fake.prices()).allSatisfy(p -> assertThat(p.get("tax_behavior").asText()).isEqualTo("unspecified"));
        assertThat(fake.writes().stream().filter(w -> w.path().equals("/v1/prices"))).allSatisfy(w ->
                assertThat(w.fields()).doesNotContainKey("tax_behavior").doesNotContainKey("currency_options[usd][tax_behavior]"));
        List<String> ids = fake.prices().stream().map(p -> p.get("id").asText()).toList();

        // unspecified → exclusive: Stripe allows setting it once, so the prices stay
        edit("currencies: [usd, gbp]\n", "currencies: [usd, gbp]\ntax_behavior: exclusive\n");
        fake.clearRequests();
        CliRunner.Result verify = cli.run("stripe:verify");
        assertThat(verify.code()).isEqualTo(1);
        assertThat(verify.out()).contains("pro_monthly: tax behavior unspecified in Stripe, exclusive in plans.yaml");
        CliRunner.Result set = cli.run("stripe:setup");
        assertThat(set.code()).as(set.toString()).isZero();
        assertThat(fake.count("POST", "/v1/prices/")).isEqualTo(5);
        assertThat(fake.writes()).allSatisfy(w -> assertThat(w.path()).startsWith("/v1/prices/"));
        String proMonthly = priceWithKey("pro_monthly").get("id").asText();
        assertThat(fake.writes().stream().filter(w -> w.path().equals("/v1/prices/" + proMonthly)).findFirst().orElseThrow().fields())
                .isEqualTo(new TreeMap<>(Map.of("tax_behavior", "exclusive",
                        "currency_options[usd][unit_amount]", "1090", "currency_options[usd][tax_behavior]", "exclusive",
                        "currency_options[gbp][unit_amount]", "890", "currency_options[gbp][tax_behavior]", "exclusive")));
        assertThat(fake.prices().stream().map(p -> p.get("id").asText()).toList()).isEqualTo(ids);
        assertThat(fake.prices()).allSatisfy(p -> {
            assertThat(p.get("tax_behavior").asText()).isEqualTo("exclusive");
            assertThat(p.at("/currency_options/usd/tax_behavior").asText()).isEqualTo("exclusive");
        });
        fake.clearRequests();
        assertThat(cli.run("stripe:setup").code()).isZero();
        assertThat(fake.writes()).isEmpty();

        // exclusive → inclusive: "once specified … it cannot be changed", so every price is replaced
        edit("tax_behavior: exclusive", "tax_behavior: inclusive");
        fake.clearRequests();
        CliRunner.Result drift = cli.run("stripe:verify");
        assertThat(drift.code()).isEqualTo(1);
        assertThat(drift.out()).contains("pro_monthly: tax behavior exclusive in Stripe, inclusive in plans.yaml");
        CliRunner.Result replaced = cli.run("stripe:setup");
        assertThat(replaced.code()).as(replaced.toString()).isZero();
        assertThat(fake.count("POST", "/v1/prices") - fake.count("POST", "/v1/prices/")).isEqualTo(5);
        assertThat(priceCreate("pro_monthly").fields()).containsEntry("tax_behavior", "inclusive")
                .containsEntry("currency_options[gbp][tax_behavior]", "inclusive");
        assertThat(priceWithKey("pro_monthly").get("id").asText()).isNotEqualTo(proMonthly);
        assertThat(fake.price(proMonthly).get("active").asBoolean()).isFalse();
        assertThat(fake.price(proMonthly).get("tax_behavior").asText()).isEqualTo("exclusive");
    }
}
