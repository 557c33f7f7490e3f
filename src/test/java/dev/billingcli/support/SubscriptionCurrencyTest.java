package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The currency a subscription bills in comes from Stripe's subscription {@code currency} (one price holds several) and
 * shows in {@code status} and {@code report}. Here the rows arrive through {@code sync}, the ledger's path from Stripe.
 *
 * <pre>
 * pro monthly  acme   USD 10.90   beta EUR 9.90
 * business yearly  gamma GBP 250.00 → MRR 20.83 (2083), ARR 250.00
 * </pre>
 */
class SubscriptionCurrencyTest extends SupportTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private void edit(String from, String to) throws Exception {
        Path plans = dir.resolve("plans.yaml");
        String yaml = Files.readString(plans);
        assertThat(yaml).contains(from);
        Files.writeString(plans, yaml.replace(from, to));
    }

    /** A subscription made in Stripe only (as a checkout in that currency leaves it); the database learns it by sync. */
    private void inStripe(String account, String lookupKey, String currency) {
        String customer = fake.newCustomer(account).get("id").asText();
        fake.newSubscription(customer, priceId(lookupKey), "active", now - 86400, now + 29 * 86400, Map.of("account_id", account))
                .put("currency", currency);
    }

    @Test
    void statusAndReportShowTheSubscriptionsOwnCurrency() throws Exception {
        edit("currency: eur\n", "currency: eur\ncurrencies: [usd, gbp]\n");
        edit("prices: { monthly: \"9.90\", yearly: \"99.00\" }",
                "prices: { monthly: { eur: \"9.90\", usd: \"10.90\", gbp: \"8.90\" }, yearly: { eur: \"99.00\", usd: \"109.00\", gbp: \"89.00\" } }");
        edit("prices: { monthly: \"29.00\", yearly: \"290.00\" }",
                "prices: { monthly: { eur: \"29.00\", usd: \"32.00\", gbp: \"25.00\" }, yearly: { eur: \"290.00\", usd: \"320.00\", gbp: \"250.00\" } }");
        edit("prices: { once: \"19.00\" }", "prices: { once: { eur: \"19.00\", usd: \"21.00\", gbp: \"17.00\" } }");
        assertThat(cli.run("stripe:setup").code()).isZero();
        inStripe("acme", "pro_monthly", "usd");
        inStripe("beta", "pro_monthly", "eur");
        inStripe("gamma", "business_yearly", "gbp");
        CliRunner.Result sync = cli.run("sync", "--all");
        assertThat(sync.code()).as(sync.toString()).isZero();

        CliRunner.Result status = cli.run("status", "--account", "acme");
        assertThat(status.code()).as(status.toString()).isZero();
        assertThat(status.out()).contains("Pro (pro) · active · monthly × 1 · USD  (sub_");
        assertThat(JSON.readTree(cli.run("-o", "json", "status", "--account", "gamma").out()).get("currency").asText()).isEqualTo("gbp");

        JsonNode report = JSON.readTree(cli.run("-o", "json", "report").out());
        assertThat(report.get("revenue").toString()).isEqualTo("""
                [{"plan":"pro","currency":"eur","subscriptions":1,"quantity":1,"mrr":990,"arr":11880},\
                {"plan":"pro","currency":"usd","subscriptions":1,"quantity":1,"mrr":1090,"arr":13080},\
                {"plan":"business","currency":"eur","subscriptions":0,"quantity":0,"mrr":0,"arr":0},\
                {"plan":"business","currency":"gbp","subscriptions":1,"quantity":1,"mrr":2083,"arr":25000}]""");
        assertThat(report.get("totals").toString()).isEqualTo("""
                [{"currency":"eur","subscriptions":1,"mrr":990,"arr":11880},\
                {"currency":"usd","subscriptions":1,"mrr":1090,"arr":13080},\
                {"currency":"gbp","subscriptions":1,"mrr":2083,"arr":25000}]""");
        assertThat(report.get("unpricedSubscriptions").asLong()).isZero();
    }

    @Test
    void aSubscriptionInACurrencyPlansYamlDoesNotPriceIsCountedAsUnpriced() throws Exception {
        inStripe("acme", "pro_monthly", "eur");
        inStripe("delta", "pro_monthly", "chf"); // a price with CHF once, since removed from plans.yaml
        assertThat(cli.run("sync", "--all").code()).isZero();
        JsonNode report = JSON.readTree(cli.run("-o", "json", "report").out());
        assertThat(report.get("totals").toString()).isEqualTo("""
                [{"currency":"eur","subscriptions":1,"mrr":990,"arr":11880}]""");
        assertThat(report.get("unpricedSubscriptions").asLong()).isEqualTo(1);
        assertThat(cli.run("status", "--account", "delta").out()).contains("· CHF  (sub_");
    }
}
