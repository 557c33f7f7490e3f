package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.catalog.Money;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code billing discount apply|remove}: Stripe's discounts[] (the pinned API has no singular coupon or
 * promotion_code), the next invoice previewed, audited, guarded, Stripe's answer through the ledger.
 */
class DiscountTest extends SupportTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private long proMonthly;

    @BeforeEach
    void couponsInStripe() throws Exception {
        Path plans = dir.resolve("plans.yaml");
        Files.writeString(plans, Files.readString(plans) + """

                coupons:
                  launch20: { percent_off: 20, duration: repeating, months: 3 }
                promotion_codes:
                  SPRING: { coupon: launch20 }
                """);
        assertThat(cli.run("stripe:setup").code()).isZero();
        proMonthly = fake.price(priceId("pro_monthly")).get("unit_amount").asLong();
        fake.clearRequests();
    }

    private String couponId() {
        return fake.coupons().stream().map(c -> c.get("id").asText()).filter(id -> id.startsWith("launch20")).findFirst().orElseThrow();
    }

    private String promotionCodeId() {
        return fake.promotionCodes().stream().filter(c -> c.get("code").asText().equals("SPRING")).findFirst().orElseThrow().get("id").asText();
    }


    /** The writes that change something: a preview is a POST that changes nothing. */
    private List<dev.billingcli.fakestripe.FakeStripe.Request> changes() {
        return fake.writes().stream().filter(w -> !w.path().equals("/v1/invoices/create_preview")).toList();
    }

    private static String eur(long minor) {
        return Money.format(minor, "eur") + " EUR";
    }

    private JsonNode audit(String account) throws Exception {
        return JSON.readTree(cli.run("-o", "json", "audit", "--account", account).out()).get("entries");
    }

    @Test
    void aPlansYamlCouponKeyAppliesItsCurrentVersionInStripe() throws Exception {
        ObjectNode sub = active("acme");
        String id = sub.get("id").asText();
        // the terms change: stripe:setup makes launch20_v2 and keeps launch20 for the subscriptions that have it
        Path plans = dir.resolve("plans.yaml");
        Files.writeString(plans, Files.readString(plans).replace("launch20: { percent_off: 20,", "launch20: { percent_off: 25,"));
        assertThat(cli.run("stripe:setup").code()).isZero();
        assertThat(fake.coupons()).extracting(c -> c.get("id").asText()).contains("launch20", "launch20_v2");
        fake.clearRequests();

        CliRunner.Result r = cli.run("discount", "apply", "--account", "acme", "--coupon", "launch20", "--reason", "launch offer");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("applied coupon launch20_v2 (plans.yaml launch20) to " + id + "; ");
        assertThat(changes()).hasSize(1);
        assertThat(changes().get(0).params()).isEqualTo(Map.of("discounts", List.of(Map.of("coupon", "launch20_v2"))));
        assertThat(fake.requests().get(0).method() + " " + fake.requests().get(0).path()).isEqualTo("GET /v1/coupons");

        // the Stripe id itself still works (an older version on purpose), without the list
        fake.clearRequests();
        CliRunner.Result old = cli.run("discount", "apply", "--account", "acme", "--coupon", "launch20_v2", "--dry-run");
        assertThat(old.code()).as(old.toString()).isZero();
        assertThat(fake.requests().get(0).path()).isEqualTo("/v1/coupons/launch20_v2");

        // plans.yaml changed again and not set up: no version has its terms, exit 2 with the fix, nothing sent
        Files.writeString(plans, Files.readString(plans).replace("launch20: { percent_off: 25,", "launch20: { percent_off: 30,"));
        fake.clearRequests();
        CliRunner.Result stale = cli.run("discount", "apply", "--account", "acme", "--coupon", "launch20", "--reason", "x");
        assertThat(stale.code()).isEqualTo(2);
        assertThat(stale.err()).isEqualTo("billing: coupon launch20 of plans.yaml has no version with its terms in Stripe: run 'billing stripe:setup'\n");
        assertThat(changes()).isEmpty();
    }

    @Test
    void appliesACouponWithDiscountsPreviewsTheNextInvoiceAndAuditsIt() throws Exception {
        ObjectNode sub = active("acme");
        String id = sub.get("id").asText();
        String coupon = couponId();
        long off = Math.round(proMonthly * 0.2);

        CliRunner.Result r = cli.run("discount", "apply", "--account", "acme", "--coupon", coupon, "--reason", "launch offer");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("applied coupon " + coupon + " to " + id + "; the next invoice (")
                .endsWith(" comes to " + eur(proMonthly - off) + " (" + eur(proMonthly) + " less " + eur(off) + ")\n");

        // the plans.yaml key mapped to its current version (one coupon list), the coupon checked, the live subscription read,
        // the preview with the same discounts, then the one write
        assertThat(fake.requests()).extracting(q -> q.method() + " " + q.path()).containsExactly("GET /v1/coupons", "GET /v1/coupons/" + coupon,
                "GET /v1/subscriptions/" + id, "POST /v1/invoices/create_preview", "POST /v1/subscriptions/" + id);
        assertThat(fake.requests().get(3).params()).isEqualTo(Map.of("subscription", id, "discounts", List.of(Map.of("coupon", coupon))));
        var sent = changes().get(0);
        assertThat(sent.params()).isEqualTo(Map.of("discounts", List.of(Map.of("coupon", coupon))));
        assertThat(sent.idempotencyKey()).isNotBlank();
        assertThat(fake.subscription(id).get("discounts")).hasSize(1);

        JsonNode entries = audit("acme");
        assertThat(entries).hasSize(1);
        JsonNode a = entries.get(0);
        assertThat(a.get("command").asText()).isEqualTo("discount apply");
        assertThat(a.get("reason").asText()).isEqualTo("launch offer");
        assertThat(a.at("/before/discounts")).isEmpty();
        assertThat(a.at("/after/discounts/0").asText()).isEqualTo(fake.subscription(id).at("/discounts/0").asText());
        assertThat(a.at("/after/coupon").asText()).isEqualTo(coupon);
        assertThat(a.at("/before/subscription").asText()).isEqualTo(id);

        // the preview of a removal asks for no discounts (discounts=""), and the removal sends the same
        fake.clearRequests();
        CliRunner.Result removed = cli.run("discount", "remove", "--account", "acme", "--reason", "offer ended");
        assertThat(removed.code()).as(removed.toString()).isZero();
        assertThat(removed.out()).startsWith("removed the discount of " + id + "; the next invoice (").endsWith(" comes to " + eur(proMonthly) + "\n");
        assertThat(fake.requests().get(1).params()).isEqualTo(Map.of("subscription", id, "discounts", ""));
        assertThat(changes()).hasSize(1);
        assertThat(changes().get(0).params()).isEqualTo(Map.of("discounts", ""));
        assertThat(fake.subscription(id).get("discounts")).isEmpty();
        JsonNode remove = audit("acme").get(0);
        assertThat(remove.get("command").asText()).isEqualTo("discount remove");
        assertThat(remove.at("/before/discounts")).hasSize(1);
        assertThat(remove.at("/after/discounts")).isEmpty();

        fake.clearRequests();
        CliRunner.Result again = cli.run("discount", "remove", "--account", "acme", "--reason", "x");
        assertThat(again.code()).isZero();
        assertThat(again.out()).isEqualTo("nothing to remove: " + id + " has no discount\n");
        assertThat(changes()).isEmpty();
    }

    @Test
    void aPromotionCodeIsLookedUpByItsCodeAndSentByItsId() throws Exception {
        String id = active("acme").get("id").asText();
        CliRunner.Result r = cli.run("-o", "json", "discount", "apply", "--account", "acme", "--promotion-code", "spring", "--reason", "phone");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(fake.requests().get(0).method() + " " + fake.requests().get(0).path()).isEqualTo("GET /v1/promotion_codes");
        assertThat(fake.requests().get(0).params()).isEqualTo(Map.of("code", "spring", "active", "true", "limit", "1"));
        assertThat(changes()).hasSize(1);
        assertThat(changes().get(0).path()).isEqualTo("/v1/subscriptions/" + id);
        assertThat(changes().get(0).params()).isEqualTo(Map.of("discounts", List.of(Map.of("promotion_code", promotionCodeId()))));
        JsonNode json = JSON.readTree(r.out());
        assertThat(json.get("sent").asBoolean()).isTrue();
        assertThat(json.get("coupon").asText()).isEqualTo(couponId());
        assertThat(json.get("promotionCode").asText()).isEqualTo("spring");
        assertThat(json.at("/preview/total").asLong()).isEqualTo(proMonthly - Math.round(proMonthly * 0.2));
        assertThat(json.at("/preview/subtotal").asLong()).isEqualTo(proMonthly);
        assertThat(json.get("discountsAfter")).hasSize(1);
    }

    @Test
    void aDryRunPreviewsAndSendsNoWrite() throws Exception {
        String id = active("acme").get("id").asText();
        String coupon = couponId();
        CliRunner.Result r = cli.run("discount", "apply", "--account", "acme", "--coupon", coupon, "--dry-run");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("dry run: would apply coupon " + coupon + " to " + id + "; nothing sent\n  POST /v1/subscriptions/" + id
                + " {discounts[0][coupon]=" + coupon + "}\n  cost: no charge now; the next invoice (");
        assertThat(changes()).isEmpty();
        assertThat(fake.count("POST", "/v1/invoices/create_preview")).isEqualTo(1);
        assertThat(fake.subscription(id).get("discounts")).isEmpty();
        assertThat(audit("acme")).isEmpty();
    }

    @Test
    void refusesALiveKeyAnUnknownCouponOrCodeAndBadInput() {
        active("acme");
        String coupon = couponId();
        CliRunner.Result live = cli.env("STRIPE_SECRET_KEY", "sk_live_FAKE_support77").run("discount", "apply", "--account", "acme",
                "--coupon", coupon, "--reason", "x");
        assertThat(live.code()).as(live.toString()).isEqualTo(4);
        assertThat(fake.requests()).isEmpty();
        cli.env("STRIPE_SECRET_KEY", "sk_test_FAKE_support77");

        CliRunner.Result unknown = cli.run("discount", "apply", "--account", "acme", "--coupon", "nope", "--reason", "x");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("billing: no coupon nope in Stripe\n");
        CliRunner.Result code = cli.run("discount", "apply", "--account", "acme", "--promotion-code", "NOPE", "--reason", "x");
        assertThat(code.code()).isEqualTo(2);
        assertThat(code.err()).isEqualTo("billing: no active promotion code NOPE in Stripe\n");
        CliRunner.Result both = cli.run("discount", "apply", "--account", "acme", "--coupon", coupon, "--promotion-code", "SPRING", "--reason", "x");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).isEqualTo("billing: give --coupon ID or --promotion-code CODE\n");
        CliRunner.Result noReason = cli.run("discount", "apply", "--account", "acme", "--coupon", coupon);
        assertThat(noReason.code()).isEqualTo(2);
        assertThat(changes()).isEmpty();
    }
}
