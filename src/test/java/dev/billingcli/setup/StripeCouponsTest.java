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
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Coupons and promotion codes through {@code stripe:setup} and {@code stripe:verify}, against the validating stand-in. */
class StripeCouponsTest extends StripeCliTestBase {
    private static final String DISCOUNTS = """

            coupons:
              launch20: { percent_off: 20, duration: repeating, months: 3, applies_to: [pro, business] }
              welcome5: { amount_off: "5.00", duration: once }
            promotion_codes:
              LAUNCH20: { coupon: launch20, max_redemptions: 500, expires: 2027-03-31, first_time_only: true }
            """;
    /** 2027-03-31T23:59:59Z: the code is valid through that day, UTC. */
    private static final String EXPIRES_AT = "1806537599";

    @BeforeEach
    void addDiscountsToPlansYaml() throws Exception {
        Path plans = dir.resolve("plans.yaml");
        Files.writeString(plans, Files.readString(plans) + DISCOUNTS);
    }

    private void editPlans(String from, String to) throws Exception {
        Path plans = dir.resolve("plans.yaml");
        String yaml = Files.readString(plans);
        assertThat(yaml).contains(from);
        Files.writeString(plans, yaml.replace(from, to));
    }

    private List<FakeStripe.Request> discountWrites() {
        return fake.writes().stream().filter(w -> w.path().startsWith("/v1/coupons") || w.path().startsWith("/v1/promotion_codes")).toList();
    }

    private ObjectNode code(String code, boolean active) {
        return fake.promotionCodes().stream().filter(c -> c.get("code").asText().equals(code) && c.get("active").asBoolean() == active)
                .findFirst().orElseThrow();
    }

    @Test
    void createsCouponsAndCodesOnceWithStripesParametersAndARerunSendsNoWrite() {
        CliRunner.Result first = cli.run("stripe:setup");
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).contains("2 coupons, 1 promotion code in plans.yaml",
                "created coupon launch20 (20% off for 3 months on pro, business)", "created coupon welcome5 (5.00 EUR off once)",
                "created promotion code LAUNCH20");

        List<FakeStripe.Request> writes = discountWrites();
        assertThat(writes).extracting(FakeStripe.Request::path).containsExactly("/v1/coupons", "/v1/coupons", "/v1/promotion_codes");
        Map<String, Object> launch = writes.get(0).params();
        assertThat(launch).containsEntry("id", "launch20").containsEntry("percent_off", "20").containsEntry("duration", "repeating")
                .containsEntry("duration_in_months", "3").containsEntry("applies_to", Map.of("products", List.of("billing_pro", "billing_business")))
                .doesNotContainKeys("amount_off", "currency");
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = (Map<String, Object>) launch.get("metadata");
        assertThat(metadata).containsEntry("managed_by", "billing").containsEntry("billing_coupon", "launch20")
                .containsKey("billing_terms");
        assertThat(writes.get(1).params()).containsEntry("id", "welcome5").containsEntry("amount_off", "500").containsEntry("currency", "eur")
                .containsEntry("duration", "once").doesNotContainKeys("percent_off", "duration_in_months", "applies_to");
        assertThat(writes.get(2).params()).containsEntry("code", "LAUNCH20")
                .containsEntry("promotion", Map.of("type", "coupon", "coupon", "launch20"))
                .containsEntry("max_redemptions", "500").containsEntry("expires_at", EXPIRES_AT)
                .containsEntry("restrictions", Map.of("first_time_transaction", "true"))
                .containsEntry("metadata", Map.of("managed_by", "billing", "billing_code", "LAUNCH20"))
                .doesNotContainKey("coupon");
        assertThat(writes).allSatisfy(w -> assertThat(w.idempotencyKey()).startsWith("billing-"));
        // the products exist before the coupon that applies to them
        List<String> order = fake.writes().stream().map(FakeStripe.Request::path).toList();
        assertThat(order.indexOf("/v1/products")).isLessThan(order.indexOf("/v1/coupons"));
        assertThat(fake.coupons()).hasSize(2);
        assertThat(code("LAUNCH20", true).at("/promotion/coupon").asText()).isEqualTo("launch20");

        fake.clearRequests();
        CliRunner.Result again = cli.run("stripe:setup");
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("nothing to do");
        assertThat(fake.writes()).isEmpty();
        assertThat(fake.count("GET", "/v1/coupons")).isEqualTo(1);
        assertThat(fake.count("GET", "/v1/promotion_codes")).isEqualTo(1);
        assertThat(fake.requests()).hasSize(7); // the 5 catalog reads + 1 coupon list + 1 promotion code list

        CliRunner.Result verify = cli.run("stripe:verify");
        assertThat(verify.code()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("2 coupons, 1 promotion code");
    }

    @Test
    void changedTermsMakeANewVersionMoveTheCodeAndKeepTheOldCouponUntilPrune() throws Exception {
        assertThat(cli.run("stripe:setup").code()).isZero();
        String oldCode = code("LAUNCH20", true).get("id").asText();
        editPlans("percent_off: 20, duration: repeating, months: 3", "percent_off: 25, duration: repeating, months: 3");
        fake.clearRequests();

        CliRunner.Result verify = cli.run("stripe:verify");
        assertThat(verify.code()).as(verify.toString()).isEqualTo(1);
        assertThat(verify.out()).contains("coupon launch20: percent_off 20 in Stripe, 25 in plans.yaml",
                "promotion code LAUNCH20: coupon launch20 in Stripe, launch20_v2 for plans.yaml");

        CliRunner.Result dry = cli.run("stripe:setup", "--dry-run");
        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("+ create coupon launch20_v2 (25% off for 3 months on pro, business); terms are immutable, it replaces launch20",
                "+ deactivate promotion code LAUNCH20 " + oldCode, "+ create promotion code LAUNCH20 for coupon launch20_v2",
                "- keep coupon launch20 (an older version of launch20, replaced by launch20_v2; --prune deletes it)",
                "3 write(s) would be sent");
        assertThat(fake.writes()).isEmpty();

        CliRunner.Result r = cli.run("stripe:setup");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(fake.writes()).extracting(w -> w.method() + " " + w.path())
                .containsExactly("POST /v1/coupons", "POST /v1/promotion_codes/" + oldCode, "POST /v1/promotion_codes");
        assertThat(fake.writes().get(0).params()).containsEntry("id", "launch20_v2").containsEntry("percent_off", "25");
        assertThat(fake.writes().get(1).params()).isEqualTo(Map.of("active", "false"));
        assertThat(fake.writes().get(2).params()).containsEntry("promotion", Map.of("type", "coupon", "coupon", "launch20_v2"));
        assertThat(code("LAUNCH20", false).get("id").asText()).isEqualTo(oldCode);
        assertThat(code("LAUNCH20", true).at("/promotion/coupon").asText()).isEqualTo("launch20_v2");
        assertThat(fake.coupon("launch20")).isNotNull();
        assertThat(r.out()).contains("keep coupon launch20");

        fake.clearRequests();
        CliRunner.Result kept = cli.run("stripe:setup");
        assertThat(kept.code()).as(kept.toString()).isZero();
        assertThat(fake.writes()).isEmpty();
        CliRunner.Result drift = cli.run("stripe:verify");
        assertThat(drift.code()).isEqualTo(1);
        assertThat(drift.out()).contains("extra managed coupon launch20 (an older version of launch20, replaced by launch20_v2)");

        fake.clearRequests();
        CliRunner.Result pruned = cli.run("stripe:setup", "--prune");
        assertThat(pruned.code()).as(pruned.toString()).isZero();
        assertThat(fake.writes()).extracting(w -> w.method() + " " + w.path()).containsExactly("DELETE /v1/coupons/launch20");
        assertThat(fake.coupon("launch20")).isNull();
        assertThat(pruned.out()).contains("deleted coupon launch20");
        assertThat(cli.run("stripe:verify").code()).isZero();

        // back to 20 %: a third version, not the deleted first
        editPlans("percent_off: 25", "percent_off: 20");
        assertThat(cli.run("stripe:setup", "--prune").code()).isZero();
        assertThat(fake.coupons()).extracting(c -> c.get("id").asText()).containsExactlyInAnyOrder("welcome5", "launch20_v3");
        assertThat(code("LAUNCH20", true).at("/promotion/coupon").asText()).isEqualTo("launch20_v3");
    }

    @Test
    void aChangedLimitOrExpiryReplacesTheCodeAndLeavesTheCouponAlone() throws Exception {
        assertThat(cli.run("stripe:setup").code()).isZero();
        String oldCode = code("LAUNCH20", true).get("id").asText();
        editPlans("max_redemptions: 500, expires: 2027-03-31, first_time_only: true", "max_redemptions: 1000, expires: 2027-06-30");
        fake.clearRequests();

        CliRunner.Result r = cli.run("stripe:setup");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(fake.writes()).extracting(w -> w.method() + " " + w.path())
                .containsExactly("POST /v1/promotion_codes/" + oldCode, "POST /v1/promotion_codes");
        assertThat(fake.writes().get(1).params()).containsEntry("max_redemptions", "1000").doesNotContainKey("restrictions")
                .containsEntry("promotion", Map.of("type", "coupon", "coupon", "launch20"));
        assertThat(r.out()).contains("max_redemptions 500 in Stripe, 1000 in plans.yaml", "first_time_only true in Stripe, false in plans.yaml");
        fake.clearRequests();
        assertThat(cli.run("stripe:setup").code()).isZero();
        assertThat(fake.writes()).isEmpty();
    }

    @Test
    void verifyReportsCouponAndCodeDriftInItsJsonReport() throws Exception {
        assertThat(cli.run("stripe:setup").code()).isZero();
        // someone deactivates the code in the Dashboard and adds a managed-looking one by hand
        code("LAUNCH20", true).put("active", false);
        editPlans("welcome5: { amount_off: \"5.00\", duration: once }", "welcome5: { amount_off: \"6.00\", duration: once }");
        fake.clearRequests();

        CliRunner.Result r = cli.run("-o", "json", "stripe:verify");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertThat(report.get("inSync").asBoolean()).isFalse();
        assertThat(report.get("differences").toString()).contains("missing promotion code LAUNCH20", "create_promotion_code",
                "coupon welcome5: amount_off 5.00 EUR in Stripe, 6.00 EUR in plans.yaml", "create_coupon");
        assertThat(fake.writes()).isEmpty();
    }

    @Test
    void aCodeGoneFromPlansYamlIsReportedAndDeactivatedOnlyWithPrune() throws Exception {
        assertThat(cli.run("stripe:setup").code()).isZero();
        editPlans("  LAUNCH20: { coupon: launch20, max_redemptions: 500, expires: 2027-03-31, first_time_only: true }\n", "");
        fake.clearRequests();
        CliRunner.Result kept = cli.run("stripe:setup");
        assertThat(kept.code()).as(kept.toString()).isZero();
        assertThat(kept.out()).contains("keep promotion code LAUNCH20", "--prune");
        assertThat(fake.writes()).isEmpty();
        assertThat(cli.run("stripe:setup", "--prune").code()).isZero();
        assertThat(fake.promotionCodes()).noneMatch(c -> c.get("active").asBoolean());
    }

    @Test
    void anUnmanagedCouponWithTheSameIdIsLeftAlone() {
        ObjectNode foreign = new ObjectMapper().createObjectNode().put("id", "welcome5").put("object", "coupon").put("created", 1_700_000_000L)
                .put("duration", "once").put("livemode", false).put("percent_off", 10).put("times_redeemed", 0).put("valid", true);
        foreign.putNull("amount_off");
        foreign.putNull("currency");
        foreign.putNull("duration_in_months");
        foreign.putNull("max_redemptions");
        foreign.putNull("name");
        foreign.putNull("redeem_by");
        foreign.putObject("metadata");
        fake.put("coupon", foreign);
        CliRunner.Result r = cli.run("stripe:setup");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("coupon welcome5 exists and is not managed by billing");
        assertThat(fake.coupon("welcome5").get("percent_off").asInt()).isEqualTo(10);
        assertThat(fake.coupon("launch20")).isNotNull();
    }

    @Test
    void aBadCouponIsExit2WithLineAndColumnAndNothingIsSent() throws Exception {
        editPlans("percent_off: 20, duration: repeating", "percent_off: 120, duration: repeatng");
        CliRunner.Result r = cli.run("stripe:setup");
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        String yaml = Files.readString(dir.resolve("plans.yaml"));
        long line = yaml.substring(0, yaml.indexOf("  launch20:")).lines().count() + 1;
        assertThat(r.err()).contains("plans.yaml:" + line + ":28: coupons.launch20.percent_off: \"120\" must be a number above 0 and at most 100")
                .contains("plans.yaml:" + line + ":43: coupons.launch20.duration: \"repeatng\" is not one of once, repeating, forever"
                        + " (did you mean \"repeating\"?)");
        assertThat(fake.requests()).isEmpty();
    }

    /** A coupon made in the Dashboard: no billing metadata. */
    private ObjectNode foreignCoupon(String id, Integer percentOff, Long amountOff) {
        ObjectNode c = new ObjectMapper().createObjectNode().put("id", id).put("object", "coupon").put("created", 1_700_000_000L)
                .put("duration", "once").put("livemode", false).put("times_redeemed", 0).put("valid", true);
        if (percentOff != null) {
            c.put("percent_off", percentOff).putNull("amount_off").putNull("currency");
        } else {
            c.putNull("percent_off").put("amount_off", amountOff).put("currency", "eur");
        }
        c.putNull("duration_in_months");
        c.putNull("max_redemptions");
        c.putNull("name");
        c.putNull("redeem_by");
        c.putObject("metadata");
        return fake.put("coupon", c);
    }

    @Test
    void adoptTagsAnUnmanagedCouponWhoseTermsMatchAndChangesNothingElse() {
        foreignCoupon("welcome5", null, 500L);
        CliRunner.Result refused = cli.run("stripe:setup");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.out()).contains("coupon welcome5 exists and is not managed by billing (--adopt takes it over when its terms"
                + " match plans.yaml; else delete it or rename the coupon in plans.yaml)");
        assertThat(fake.coupon("welcome5").get("metadata").isEmpty()).isTrue();
        fake.clearRequests();

        CliRunner.Result adopted = cli.run("stripe:setup", "--adopt");
        assertThat(adopted.code()).as(adopted.toString()).isZero();
        assertThat(adopted.out()).contains("adopted coupon welcome5 (5.00 EUR off once)");
        List<FakeStripe.Request> writes = discountWrites();
        assertThat(writes).singleElement().satisfies(w -> {
            assertThat(w.path()).isEqualTo("/v1/coupons/welcome5");
            assertThat(w.fields().keySet()).containsExactlyInAnyOrder("metadata[managed_by]", "metadata[billing_coupon]", "metadata[billing_terms]");
        });
        ObjectNode tagged = fake.coupon("welcome5");
        assertThat(tagged.at("/metadata/managed_by").asText()).isEqualTo("billing");
        assertThat(tagged.at("/metadata/billing_coupon").asText()).isEqualTo("welcome5");
        assertThat(tagged.get("amount_off").asLong()).isEqualTo(500);

        fake.clearRequests();
        CliRunner.Result again = cli.run("stripe:setup");
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(fake.writes()).isEmpty();
        assertThat(cli.run("stripe:verify").code()).isZero();
    }

    @Test
    void adoptRefusesACouponWhoseTermsDifferAndSaysWhy() {
        foreignCoupon("welcome5", 10, null);
        ObjectNode limited = foreignCoupon("launch20", 20, null);
        limited.put("duration", "repeating").put("duration_in_months", 3).put("max_redemptions", 100);
        CliRunner.Result r = cli.run("stripe:setup", "--adopt");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("coupon welcome5 is not managed by billing and cannot be adopted: amount_off none in Stripe,"
                        + " 5.00 EUR in plans.yaml (a coupon's terms never change in Stripe: delete it or rename the coupon in plans.yaml)")
                .contains("coupon launch20 is not managed by billing and cannot be adopted: applies_to every product in Stripe,"
                        + " billing_pro, billing_business in plans.yaml; it has max_redemptions 100, which plans.yaml's coupons do not have");
        assertThat(fake.writes()).noneMatch(w -> w.path().startsWith("/v1/coupons/"));
        assertThat(fake.coupon("welcome5").get("metadata").isEmpty()).isTrue();
        assertThat(fake.coupon("launch20").get("metadata").isEmpty()).isTrue();
    }
}
