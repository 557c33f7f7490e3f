package dev.billingcli.catalog;

import static dev.billingcli.catalog.Rejected.problems;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** plans.yaml's {@code currencies}, multi-currency prices, {@code tax_behavior} and {@code checkout.automatic_tax}. */
class CurrenciesLoaderTest {
    static final String MULTI = """
            currency: eur
            currencies: [usd, gbp]
            tax_behavior: exclusive
            plans:
              free: { name: Free }
              pro:
                name: Pro
                prices:
                  monthly: { eur: "9.90", usd: "10.90", gbp: "8.90" }
                  yearly: { gbp: "89.00", eur: "99.00", usd: "109.00" }
              credits_pack:
                name: 500 credits
                prices: { once: { eur: "19.00", usd: "21.00", gbp: "17.00" } }
            checkout: { automatic_tax: true }
            """;

    @Test
    void readsEveryCurrencyOfAPriceExactlyInTheCatalogsOrder() {
        Catalog c = CatalogLoader.parse(MULTI, "plans.yaml");
        assertThat(c.currencies()).containsExactly("usd", "gbp");
        assertThat(c.allCurrencies()).containsExactly("eur", "usd", "gbp");
        assertThat(c.taxBehavior()).isEqualTo("exclusive");
        assertThat(c.checkout().automaticTax()).isTrue();
        PlanPrice yearly = c.plan("pro").orElseThrow().price(Cycle.YEARLY);
        assertThat(yearly.unitAmount()).isEqualTo(9900);
        assertThat(yearly.currencyOptions()).containsExactly(java.util.Map.entry("usd", 10900L), java.util.Map.entry("gbp", 8900L));
        assertThat(yearly.taxBehavior()).isEqualTo("exclusive");
        assertThat(c.priceByLookupKey("credits_pack_once").orElseThrow().displayAll()).isEqualTo("19.00 EUR, 21.00 USD, 17.00 GBP");
    }

    @Test
    void thePlainFormStaysValidWithoutCurrencies() {
        Catalog c = CatalogLoader.parse("""
                currency: eur
                plans:
                  pro: { name: Pro, prices: { monthly: "9.90" } }
                """, "plans.yaml");
        PlanPrice p = c.plan("pro").orElseThrow().price(Cycle.MONTHLY);
        assertThat(p.unitAmount()).isEqualTo(990);
        assertThat(p.currencyOptions()).isEmpty();
        assertThat(p.taxBehavior()).isNull();
        assertThat(c.checkout().automaticTax()).isFalse();
        // the currency map works without currencies: too, with the catalog's currency alone
        assertThat(CatalogLoader.parse("""
                currency: eur
                plans:
                  pro: { name: Pro, prices: { monthly: { eur: "9.90" } } }
                """, "plans.yaml").plan("pro").orElseThrow().price(Cycle.MONTHLY).unitAmount()).isEqualTo(990);
    }

    @Test
    void aListedCurrencyMissingForAPriceIsOneLine() {
        assertThat(problems(MULTI.replace(", gbp: \"8.90\"", ""))).isEqualTo(
                "plans.yaml:9:16: plans.pro.prices.monthly: no amount in gbp (every price has one in each of eur, usd, gbp)");
        assertThat(problems(MULTI.replace("{ eur: \"9.90\", ", "{ "))).isEqualTo(
                "plans.yaml:9:16: plans.pro.prices.monthly: no amount in eur (every price has one in each of eur, usd, gbp)");
    }

    @Test
    void theOneAmountFormWithCurrenciesListedIsOneLine() {
        assertThat(problems(MULTI.replace("{ eur: \"9.90\", usd: \"10.90\", gbp: \"8.90\" }", "\"9.90\""))).isEqualTo(
                "plans.yaml:9:16: plans.pro.prices.monthly: one amount, but currencies lists usd, gbp: give every currency,"
                        + " such as { eur: \"9.90\", usd: …, gbp: … }");
    }

    @Test
    void anAmountInACurrencyNotListedIsOneLine() {
        assertThat(problems(MULTI.replace("gbp: \"8.90\"", "gbp: \"8.90\", chf: \"9.50\""))).isEqualTo(
                "plans.yaml:9:58: plans.pro.prices.monthly.chf: chf is not one of the catalog's currencies (eur, usd, gbp):"
                        + " add it to currencies: or remove this amount");
    }

    @Test
    void anUnknownCurrencyCodeIsOneLine() {
        assertThat(problems(MULTI.replace("currencies: [usd, gbp]", "currencies: [usd, gbp, xyz]"))).isEqualTo(
                "plans.yaml:2:24: currencies: \"xyz\" is not an ISO 4217 currency code");
        assertThat(problems(MULTI.replace("usd: \"10.90\"", "usx: \"10.90\"")).lines().findFirst().orElseThrow()).isEqualTo(
                "plans.yaml:9:31: plans.pro.prices.monthly.usx: \"usx\" is not an ISO 4217 currency code");
        assertThat(problems(MULTI.replace("currency: eur", "currency: euro")).lines().findFirst().orElseThrow()).isEqualTo(
                "plans.yaml:1:11: currency: \"euro\" is not a three-letter ISO currency code");
    }

    @Test
    void currenciesRepeatingTheCatalogsOrItselfIsOneLineEach() {
        assertThat(problems(MULTI.replace("currencies: [usd, gbp]", "currencies: [usd, gbp, eur]"))).isEqualTo(
                "plans.yaml:2:24: currencies: eur is already the catalog's currency (list only the others)");
        assertThat(problems(MULTI.replace("currencies: [usd, gbp]", "currencies: [usd, gbp, usd]"))).isEqualTo(
                "plans.yaml:2:24: currencies: usd is listed twice");
        assertThat(problems(MULTI.replace("currencies: [usd, gbp]", "currencies: usd"))).isEqualTo(
                "plans.yaml:2:13: currencies: must be a list such as [usd, gbp]");
    }

    @Test
    void anAmountIsExactInItsOwnCurrency() {
        assertThat(problems(MULTI.replace("currencies: [usd, gbp]", "currencies: [usd, jpy]").replace("gbp: \"8.90\"", "jpy: \"1500.5\"")
                .replace("gbp: \"89.00\"", "jpy: \"15000\"").replace("gbp: \"17.00\"", "jpy: \"2800\""))).isEqualTo(
                "plans.yaml:9:50: plans.pro.prices.monthly.jpy: \"1500.5\" has more than 0 decimals, the most JPY allows");
    }

    @Test
    void aBadTaxBehaviourOrAutomaticTaxIsOneLine() {
        assertThat(problems(MULTI.replace("tax_behavior: exclusive", "tax_behavior: exclusiv"))).isEqualTo(
                "plans.yaml:3:15: tax_behavior: \"exclusiv\" is not exclusive or inclusive (did you mean \"exclusive\"?)");
        assertThat(problems(MULTI.replace("tax_behavior: exclusive", "tax_behavior: unspecified"))).isEqualTo(
                "plans.yaml:3:15: tax_behavior: \"unspecified\" is not exclusive or inclusive");
        assertThat(problems(MULTI.replace("automatic_tax: true", "automatic_tax: yes please"))).isEqualTo(
                "plans.yaml:14:28: checkout.automatic_tax: must be true or false");
    }

    @Test
    void anUnquotedCommaAmountOrACurrencyTwiceIsOneLine() {
        assertThat(problems(MULTI.replace("usd: \"10.90\"", "usd: 10,90"))).isEqualTo(
                "plans.yaml:9:36: plans.pro.prices.monthly.usd: 10,90 is not a decimal amount: inside { } a comma separates entries"
                        + " (use \"10.90\")");
        assertThat(problems(MULTI.replace("gbp: \"8.90\"", "gbp: \"8.90\", USD: \"11.00\""))).isEqualTo(
                "plans.yaml:9:58: plans.pro.prices.monthly.USD: usd is given twice");
    }
}
