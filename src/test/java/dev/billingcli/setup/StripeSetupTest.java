package dev.billingcli.setup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.fakestripe.FakeStripe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code billing stripe:setup} against the stand-in, through the command line. */
class StripeSetupTest extends StripeCliTestBase {
    private CliRunner.Result setup(String... extra) {
        String[] args = new String[extra.length + 1];
        args[0] = "stripe:setup";
        System.arraycopy(extra, 0, args, 1, extra.length);
        return cli.run(args);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private void editPlans(String from, String to) throws Exception {
        Path plans = dir.resolve("plans.yaml");
        String yaml = Files.readString(plans);
        assertThat(yaml).contains(from);
        Files.writeString(plans, yaml.replace(from, to));
    }

    @Test
    void firstRunCreatesTheCatalogAndARerunSendsNoWriteAndConstantReads() {
        CliRunner.Result first = setup();
        assertThat(first.code()).as(first.toString()).isZero();

        // pro, business, credits_pack have prices; free and enterprise create nothing
        assertThat(fake.products()).extracting(p -> p.get("id").asText())
                .containsExactlyInAnyOrder("billing_pro", "billing_business", "billing_credits_pack");
        assertThat(fake.products()).allSatisfy(p -> assertThat(p.at("/metadata/managed_by").asText()).isEqualTo("billing"));
        assertThat(fake.prices()).extracting(p -> text(p, "lookup_key"))
                .containsExactlyInAnyOrder("pro_monthly", "pro_yearly", "business_monthly", "business_yearly", "credits_pack_once");
        ObjectNode proMonthly = priceWithKey("pro_monthly");
        assertThat(proMonthly.get("unit_amount").asLong()).isEqualTo(990);
        assertThat(proMonthly.get("currency").asText()).isEqualTo("eur");
        assertThat(proMonthly.at("/recurring/interval").asText()).isEqualTo("month");
        assertThat(proMonthly.get("product").asText()).isEqualTo("billing_pro");
        assertThat(priceWithKey("business_yearly").get("unit_amount").asLong()).isEqualTo(29000);
        assertThat(priceWithKey("credits_pack_once").get("type").asText()).isEqualTo("one_time");
        assertThat(fake.portalConfigurations()).hasSize(1);
        assertThat(fake.portalConfigurations().get(0).at("/metadata/managed_by").asText()).isEqualTo("billing");

        // 3 products + 5 prices + 1 portal configuration, each with its own idempotency key
        List<FakeStripe.Request> writes = fake.writes();
        assertThat(writes).hasSize(9);
        Set<String> keys = writes.stream().map(FakeStripe.Request::idempotencyKey).filter(Objects::nonNull).collect(Collectors.toSet());
        assertThat(keys).hasSize(9);
        assertThat(first.out()).contains("created product billing_pro", "for pro_monthly (9.90 EUR)", "created billing portal configuration");

        fake.clearRequests();
        CliRunner.Result again = setup();
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("nothing to do");
        assertThat(fake.writes()).isEmpty();
        // ⌈5 prices / 10⌉ price list + ⌈3 plans / 100⌉ product list + 2 searches (extras) + 1 portal list
        // + 1 coupon list + 1 active promotion code list (to report managed ones plans.yaml no longer has)
        assertThat(fake.requests()).hasSize(7);
        assertThat(fake.count("GET", "/v1/prices") - fake.count("GET", "/v1/prices/search")).isEqualTo(1);
        assertThat(fake.count("GET", "/v1/products/search")).isEqualTo(1);
        assertThat(fake.count("GET", "/v1/prices/search")).isEqualTo(1);
        assertThat(fake.count("GET", "/v1/billing_portal/configurations")).isEqualTo(1);
        assertThat(fake.count("GET", "/v1/coupons")).isEqualTo(1);
        assertThat(fake.count("GET", "/v1/promotion_codes")).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} extra plans")
    @ValueSource(ints = {30, 120})
    void aNoOpRerunCostsConstantReadsWhateverThePlanCount(int extra) throws Exception {
        StringBuilder plans = new StringBuilder();
        for (int i = 0; i < extra; i++) {
            plans.append("  team_").append(i).append(":\n    name: Team ").append(i)
                    .append("\n    prices: { monthly: \"").append(10 + i).append(".00\", yearly: \"").append(100 + i).append(".00\" }\n");
        }
        editPlans("  enterprise:\n", plans + "  enterprise:\n");
        // hundreds of writes: at the default 20 requests/s this test would wait 20 s for the rate limiter,
        // which is not what it is about (RateLimiterTest and RateLimitTest are)
        cli.env("BILLING_STRIPE_RATE", "10000");
        assertThat(setup().code()).isZero();
        int planCount = 3 + extra;
        int priceCount = 5 + 2 * extra;
        assertThat(fake.prices()).hasSize(priceCount);

        fake.clearRequests();
        CliRunner.Result r = setup();
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(fake.writes()).isEmpty();
        long priceLists = (priceCount + 9) / 10;
        long productLists = (planCount + 99) / 100;
        assertThat(fake.count("GET", "/v1/prices") - fake.count("GET", "/v1/prices/search")).isEqualTo(priceLists);
        // + 2 searches + 1 portal list + 1 coupon list + 1 promotion code list
        assertThat(fake.requests()).hasSize((int) (priceLists + productLists + 5));
    }

    @Test
    void aChangedAmountBecomesANewPriceThatTakesOverTheLookupKey() throws Exception {
        assertThat(setup().code()).isZero();
        String oldId = priceWithKey("pro_monthly").get("id").asText();
        editPlans("monthly: \"9.90\"", "monthly: \"12.00\"");
        fake.clearRequests();

        CliRunner.Result r = setup();
        assertThat(r.code()).as(r.toString()).isZero();
        ObjectNode current = priceWithKey("pro_monthly");
        assertThat(current.get("id").asText()).isNotEqualTo(oldId);
        assertThat(current.get("unit_amount").asLong()).isEqualTo(1200);
        assertThat(current.get("active").asBoolean()).isTrue();
        ObjectNode old = fake.price(oldId);
        assertThat(old.get("active").asBoolean()).isFalse();
        assertThat(text(old, "lookup_key")).isNull();
        String portalId = fake.portalConfigurations().get(0).get("id").asText();
        assertThat(fake.writes()).extracting(FakeStripe.Request::path)
                .containsExactly("/v1/prices", "/v1/prices/" + oldId, "/v1/billing_portal/configurations/" + portalId);
        // plan switching in the portal offers the new price, in the same run
        assertThat(fake.portalConfigurations().get(0).toString()).contains(current.get("id").asText()).doesNotContain(oldId);
        assertThat(fake.writes().get(0).params()).containsEntry("transfer_lookup_key", "true").containsEntry("lookup_key", "pro_monthly");
        assertThat(r.out()).contains("archived price " + oldId + "; 0 subscriptions stay on it");

        fake.clearRequests();
        assertThat(setup().code()).isZero();
        assertThat(fake.writes()).isEmpty();
    }

    @Test
    void aChangedNameOrFeatureListUpdatesTheProductOnly() throws Exception {
        assertThat(setup().code()).isZero();
        editPlans("name: Pro\n", "name: Pro Plus\n");
        editPlans("features: [Semantic search, AI chat]", "features: [Semantic search, AI chat, Exports]");
        fake.clearRequests();

        CliRunner.Result r = setup();
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(fake.writes()).extracting(FakeStripe.Request::path).containsExactly("/v1/products/billing_pro");
        assertThat(fake.product("billing_pro").get("name").asText()).isEqualTo("Pro Plus");
        assertThat(fake.product("billing_pro").get("marketing_features")).hasSize(3);
    }

    @Test
    void dryRunPrintsThePlanAndSendsNoWrite() {
        CliRunner.Result r = setup("--dry-run");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("dry run", "create product billing_pro", "9 write(s) would be sent");
        assertThat(fake.writes()).isEmpty();
        assertThat(fake.products()).isEmpty();
    }

    @Test
    void aRunThatCrashedHalfwayIsFinishedByTheNextWithoutDuplicates() {
        fake.failWrite(4, 500); // the 4th write fails, retries included (Stripe replays the 500 for its key)
        CliRunner.Result crashed = setup();
        assertThat(crashed.code()).as(crashed.toString()).isEqualTo(3);
        assertThat(crashed.err()).doesNotContain(KEY.substring(8));
        assertThat(crashed.err().lines().count()).isEqualTo(1);
        assertThat(fake.products().size() + fake.prices().size()).isEqualTo(3);
        Set<String> crashedKeys = fake.writes().stream().map(FakeStripe.Request::idempotencyKey).collect(Collectors.toSet());
        fake.clearRequests();

        CliRunner.Result resumed = setup();
        assertThat(resumed.code()).as(resumed.toString()).isZero();
        assertThat(fake.products()).hasSize(3);
        assertThat(fake.prices()).hasSize(5);
        assertThat(fake.portalConfigurations()).hasSize(1);
        // the resumed run used fresh idempotency keys, not the crashed run's
        assertThat(fake.writes()).hasSize(6).allSatisfy(w -> assertThat(crashedKeys).doesNotContain(w.idempotencyKey()));
    }

    @Test
    void aRateLimitedWriteIsRetriedWithTheSameKeyAndCreatesOneObject() {
        fake.failWrite(1, 429);
        CliRunner.Result r = setup();
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(fake.products()).hasSize(3);
        List<FakeStripe.Request> writes = fake.writes();
        assertThat(writes).hasSize(10);
        assertThat(writes.get(0).idempotencyKey()).isEqualTo(writes.get(1).idempotencyKey());
        assertThat(writes.get(0).path()).isEqualTo(writes.get(1).path());
    }

    @Test
    void aLiveKeyWithoutLiveIsRefusedBeforeAnyRequest() {
        cli.env("STRIPE_SECRET_KEY", "sk_live_FAKE_mnop");
        CliRunner.Result r = setup();
        assertThat(r.code()).as(r.toString()).isEqualTo(4);
        assertThat(r.err()).contains("--live").doesNotContain("abcdefghijklmnop");
        assertThat(fake.requests()).isEmpty();

        CliRunner.Result live = setup("--live");
        assertThat(live.code()).as(live.toString()).isZero();
        assertThat(fake.products()).hasSize(3);
    }

    @Test
    void unmanagedObjectsAreLeftAloneUnlessAdopted() {
        ObjectNode foreign = new ObjectMapper().createObjectNode().put("id", "billing_pro").put("object", "product")
                .put("active", true).put("name", "Pro (made by hand)").put("created", 1_700_000_000L).put("livemode", false)
                .put("updated", 1_700_000_000L);
        foreign.putObject("metadata");
        foreign.putArray("images");
        foreign.putArray("marketing_features");
        fake.put("product", foreign);

        CliRunner.Result r = setup();
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("billing_pro").contains("--adopt");
        assertThat(fake.product("billing_pro").get("name").asText()).isEqualTo("Pro (made by hand)");
        assertThat(fake.writes()).noneMatch(w -> w.path().startsWith("/v1/products/billing_pro"));
        assertThat(fake.prices()).noneMatch(p -> "billing_pro".equals(text(p, "product")));

        CliRunner.Result adopted = setup("--adopt");
        assertThat(adopted.code()).as(adopted.toString()).isZero();
        assertThat(fake.product("billing_pro").at("/metadata/managed_by").asText()).isEqualTo("billing");
        assertThat(fake.product("billing_pro").get("name").asText()).isEqualTo("Pro");
        assertThat(priceWithKey("pro_monthly").get("product").asText()).isEqualTo("billing_pro");
    }

    @Test
    void aPlanGoneFromPlansYamlIsReportedAndArchivedOnlyWithPrune() throws Exception {
        assertThat(setup().code()).isZero();
        Path plans = dir.resolve("plans.yaml");
        String yaml = Files.readString(plans);
        int start = yaml.indexOf("  credits_pack:");
        int end = yaml.indexOf("  enterprise:");
        Files.writeString(plans, yaml.substring(0, start) + yaml.substring(end));
        fake.clearRequests();

        CliRunner.Result report = setup();
        assertThat(report.code()).as(report.toString()).isZero();
        assertThat(report.out()).contains("billing_credits_pack").contains("--prune");
        assertThat(fake.writes()).isEmpty();
        assertThat(fake.product("billing_credits_pack").get("active").asBoolean()).isTrue();

        CliRunner.Result pruned = setup("--prune");
        assertThat(pruned.code()).as(pruned.toString()).isZero();
        assertThat(fake.product("billing_credits_pack").get("active").asBoolean()).isFalse();
        assertThat(fake.prices()).filteredOn(p -> "billing_credits_pack".equals(text(p, "product")))
                .allSatisfy(p -> assertThat(p.get("active").asBoolean()).isFalse());
    }

    @Test
    void aCycleGoneFromPlansYamlIsReportedAndItsPriceArchivedOnlyWithPrune() throws Exception {
        assertThat(setup().code()).isZero();
        String yearly = priceWithKey("pro_yearly").get("id").asText();
        editPlans("prices: { monthly: \"9.90\", yearly: \"99.00\" }", "prices: { monthly: \"9.90\" }");
        fake.clearRequests();

        CliRunner.Result verify = cli.run("stripe:verify");
        assertThat(verify.code()).as(verify.toString()).isEqualTo(1);
        assertThat(verify.out()).contains("extra managed price " + yearly + " (pro_yearly is not in plans.yaml)");

        CliRunner.Result kept = setup();
        assertThat(kept.code()).as(kept.toString()).isZero();
        assertThat(kept.out()).contains("keep extra price " + yearly, "--prune");
        assertThat(fake.price(yearly).get("active").asBoolean()).isTrue();
        // the portal's plan switching no longer offers it, though
        assertThat(fake.portalConfigurations().get(0).toString()).doesNotContain(yearly);

        assertThat(setup("--prune").code()).isZero();
        assertThat(fake.price(yearly).get("active").asBoolean()).isFalse();
        fake.clearRequests();
        assertThat(cli.run("stripe:verify").code()).isZero();
    }

    @Test
    void writeEnvAddsPriceIdsAndKeepsTheFilesOtherLines() throws Exception {
        cli.write("app.env", "# my app\nDATABASE_URL=postgres://localhost/app\nSTRIPE_PRICE_PRO_MONTHLY=price_old\n");
        CliRunner.Result r = setup("--write-env", "app.env");
        assertThat(r.code()).as(r.toString()).isZero();
        String env = Files.readString(dir.resolve("app.env"));
        assertThat(env).startsWith("# my app\nDATABASE_URL=postgres://localhost/app\n");
        assertThat(env).contains("STRIPE_PRICE_PRO_MONTHLY=" + priceWithKey("pro_monthly").get("id").asText() + "\n")
                .contains("STRIPE_PRICE_BUSINESS_YEARLY=" + priceWithKey("business_yearly").get("id").asText())
                .contains("STRIPE_PRICE_CREDITS_PACK_ONCE=")
                .doesNotContain("price_old");
        assertThat(env.lines().filter(l -> l.startsWith("STRIPE_PRICE_PRO_MONTHLY=")).count()).isEqualTo(1);
    }

    @Test
    void jsonOutputIsOneDocumentOnStdout() throws Exception {
        CliRunner.Result r = setup("-o", "json", "--dry-run");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("dryRun").asBoolean()).isTrue();
        assertThat(json.get("plan")).hasSize(9);
        assertThat(json.get("key").asText()).endsWith("sk_test_…p7dc");
        assertThat(r.out()).doesNotContain(KEY.substring(8));
    }
}
