package dev.billingcli.catalog;

import static dev.billingcli.catalog.Rejected.problems;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CatalogLoaderTest {
    private static final String VALID = """
            currency: eur
            grace_period_days: 3
            plans:
              free: { name: Free, credits: 0, limits: { projects: 3, seats: 1 } }
              pro:
                name: Pro
                prices: { monthly: "9.90", yearly: "99.00" }
                trial_days: 14
                credits: 1000
                limits: { projects: unlimited, seats: 1 }
                features: [Semantic search, AI chat]
              credits_pack:
                name: 500 credits
                prices: { once: "19.00" }
                credits: 500
              enterprise: { name: Enterprise, contact: sales@example.com }
            """;

    @Test
    void loadsTheRepositoryCatalog() {
        Catalog c = CatalogLoader.load(Path.of("plans.yaml"), "plans.yaml");
        assertThat(c.currency()).isEqualTo("eur");
        assertThat(c.plans()).containsKeys("free", "pro", "business", "credits_pack", "enterprise");
        assertThat(c.plan("pro").orElseThrow().price(Cycle.MONTHLY).unitAmount()).isEqualTo(990);
        assertThat(c.plan("business").orElseThrow().price(Cycle.YEARLY).unitAmount()).isEqualTo(29000);
        assertThat(c.plan("enterprise").orElseThrow().prices()).isEmpty();
        assertThat(c.portal().switchPlans()).containsExactly("pro", "business");
        assertThat(c.freePlan().orElseThrow().id()).isEqualTo("free");
    }

    @Test
    void readsEveryFieldOfAPlan() {
        Catalog c = CatalogLoader.parse(VALID, "plans.yaml");
        Plan pro = c.plan("pro").orElseThrow();
        assertThat(pro.trialDays()).isEqualTo(14);
        assertThat(pro.credits()).isEqualTo(1000);
        assertThat(pro.limits()).containsEntry("projects", Plan.UNLIMITED).containsEntry("seats", 1L);
        assertThat(pro.features()).containsExactly("Semantic search", "AI chat");
        assertThat(pro.price(Cycle.YEARLY).lookupKey()).isEqualTo("pro_yearly");
        assertThat(c.priceByLookupKey("credits_pack_once").orElseThrow().unitAmount()).isEqualTo(1900);
        assertThat(c.plan("enterprise").orElseThrow().contact()).isEqualTo("sales@example.com");
        assertThat(c.gracePeriodDays()).isEqualTo(3);
    }

    @Test
    void aCommaAmountNamesFileLineColumnAndField() {
        String yaml = VALID.replace("monthly: \"9.90\"", "monthly: \"9,90\"");
        assertThat(problems(yaml)).isEqualTo(
                "plans.yaml:7:24: plans.pro.prices.monthly: \"9,90\" is not a decimal amount (use \"9.90\")");
    }

    @Test
    void anUnknownKeyIsAnErrorWithTheClosestKnownKey() {
        String yaml = VALID.replace("    prices: { monthly", "    prics: { monthly");
        assertThat(problems(yaml).lines().findFirst().orElseThrow())
                .isEqualTo("plans.yaml:7:5: plans.pro.prics: unknown key \"prics\" (did you mean \"prices\"?)");
        assertThat(problems(VALID.replace("{ monthly:", "{ montly:")))
                .isEqualTo("plans.yaml:7:15: plans.pro.prices.montly: unknown cycle \"montly\" (did you mean \"monthly\"?)");
        // nothing close: the list of what is allowed
        assertThat(problems(VALID.replace("    trial_days: 14", "    colour: red")))
                .isEqualTo("plans.yaml:8:5: plans.pro.colour: unknown key \"colour\" (expected one of contact, credits, "
                        + "description, features, limits, name, prices, trial_days)");
    }

    @Test
    void aNegativeAmountIsNamedAsNegative() {
        assertThat(problems(VALID.replace("\"99.00\"", "\"-29.00\"")))
                .isEqualTo("plans.yaml:7:40: plans.pro.prices.yearly: \"-29.00\" is negative: an amount must be 0 or more");
        assertThat(problems(VALID.replace("\"99.00\"", "-29.00")))
                .isEqualTo("plans.yaml:7:40: plans.pro.prices.yearly: \"-29.00\" is negative: an amount must be 0 or more");
    }

    @Test
    void anUnquotedCommaAmountInBracesIsReportedWhereItWasWritten() {
        // in { }, YAML splits 9,90 into "monthly: 9" and a key "90"
        assertThat(problems(VALID.replace("monthly: \"9.90\"", "monthly: 9,90")))
                .isEqualTo("plans.yaml:7:24: plans.pro.prices.monthly: 9,90 is not a decimal amount: inside { } a comma "
                        + "separates entries (use \"9.90\")");
        // on its own line the comma stays in the value
        String block = VALID.replace("    prices: { monthly: \"9.90\", yearly: \"99.00\" }", "    prices:\n      monthly: 9,90\n      yearly: 99.00");
        assertThat(problems(block)).isEqualTo("plans.yaml:8:16: plans.pro.prices.monthly: \"9,90\" is not a decimal amount (use \"9.90\")");
    }

    @Test
    void unquotedAmountsAreReadExactlyAsWritten() {
        Catalog c = CatalogLoader.parse(VALID.replace("\"9.90\"", "9.90").replace("\"99.00\"", "99"), "plans.yaml");
        assertThat(c.plan("pro").orElseThrow().price(Cycle.MONTHLY).unitAmount()).isEqualTo(990);
        assertThat(c.plan("pro").orElseThrow().price(Cycle.YEARLY).unitAmount()).isEqualTo(9900);
        // no binary float on the way: a value a double cannot hold exactly is still exact, or an error
        Catalog big = CatalogLoader.parse(VALID.replace("\"9.90\"", "90071992547409.93"), "plans.yaml");
        assertThat(big.plan("pro").orElseThrow().price(Cycle.MONTHLY).unitAmount()).isEqualTo(9007199254740993L);
        assertThat(problems(VALID.replace("\"9.90\"", "9.999"))).contains("plans.pro.prices.monthly: \"9.999\" has more than 2 decimals");
        assertThat(problems(VALID.replace("\"9.90\"", "9.9e1"))).contains("plans.pro.prices.monthly: \"9.9e1\" is not a decimal amount");
    }

    @Test
    void moreDecimalsThanTheCurrencyAllowsIsAnError() {
        assertThat(problems(VALID.replace("\"99.00\"", "\"9.999\""))).contains("plans.pro.prices.yearly: \"9.999\" has more than 2 decimals");
        String yen = VALID.replace("currency: eur", "currency: jpy");
        assertThat(problems(yen)).contains("\"9.90\" has more than 0 decimals");
        Catalog jpy = CatalogLoader.parse(yen.replace("\"9.90\"", "\"980\"").replace("\"99.00\"", "\"9800\"").replace("\"19.00\"", "\"1900\""),
                "plans.yaml");
        assertThat(jpy.plan("pro").orElseThrow().price(Cycle.MONTHLY).unitAmount()).isEqualTo(980);
    }

    @Test
    void collectsEveryProblemInOneRun() {
        String yaml = VALID.replace("currency: eur", "currency: euro")
                .replace("pro:\n", "Pro-Plan:\n")
                .replace("credits: 500", "credits: -5")
                .replace("{ once: \"19.00\" }", "{ weekly: \"19.00\" }");
        String p = problems(yaml);
        assertThat(p.lines()).hasSize(4);
        assertThat(p).contains("currency: \"euro\" is not a three-letter ISO currency code")
                .contains("plan id \"Pro-Plan\" must match [a-z0-9_]+")
                .contains("plans.credits_pack.credits: must be a whole number from 0 up")
                .contains("plans.credits_pack.prices.weekly: unknown cycle \"weekly\"");
    }

    @Test
    void rejectsContradictions() {
        assertThat(problems(VALID.replace("{ once: \"19.00\" }", "{ once: \"19.00\" }\n    trial_days: 7")))
                .contains("plans.credits_pack.trial_days: a trial needs a monthly or yearly price");
        assertThat(problems(VALID.replace("{ once: \"19.00\" }", "{ once: \"19.00\", monthly: \"1.00\" }")))
                .contains("a plan is either recurring (monthly, yearly) or one-time (once), not both");
        assertThat(problems(VALID + "portal: { switch_plans: [credits_pack] }"))
                .contains("portal.switch_plans: \"credits_pack\" is not a plan with a monthly or yearly price");
    }

    @Test
    void duplicateKeysAndBrokenYamlPointAtTheSpot() {
        assertThat(problems(VALID.replace("    trial_days: 14", "    trial_days: 14\n    trial_days: 7")))
                .isEqualTo("plans.yaml:9:5: key \"trial_days\" appears twice");
        assertThat(problems("currency: eur\nplans: { pro: [\n")).startsWith("plans.yaml:2:16: invalid YAML");
        assertThat(problems("currency: eur\n")).contains("plans: missing");
    }

    @Test
    void amountsConvertExactly() {
        assertThat(Money.toMinor("0.10", "eur")).isEqualTo(10);
        assertThat(Money.toMinor("1234567.89", "usd")).isEqualTo(123456789);
        assertThat(Money.toMinor("12", "eur")).isEqualTo(1200);
        assertThat(Money.format(990, "eur")).isEqualTo("9.90");
        assertThat(Money.format(980, "jpy")).isEqualTo("980");
        assertThatThrownBy(() -> Money.toMinor("1e3", "eur")).hasMessageContaining("not a decimal amount");
        assertThatThrownBy(() -> Money.toMinor("-1.00", "eur")).hasMessage("\"-1.00\" is negative: an amount must be 0 or more");
        assertThatThrownBy(() -> Money.toMinor("-x", "eur")).hasMessageContaining("not a decimal amount");
    }
}
