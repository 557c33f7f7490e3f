package dev.billingcli.catalog;

import static dev.billingcli.catalog.Rejected.problems;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** plans.yaml's {@code coupons:} and {@code promotion_codes:}: read exactly, every error with file:line:col. */
class CouponsLoaderTest {
    private static final String PLANS = """
            currency: eur
            plans:
              pro: { name: Pro, prices: { monthly: "9.90" } }
              business: { name: Business, prices: { monthly: "29.00" } }
              enterprise: { name: Enterprise, contact: sales@example.com }
            """;

    @Test
    void readsCouponsAndCodes() {
        Catalog c = CatalogLoader.parse(PLANS + """
                coupons:
                  launch20: { percent_off: 20, duration: repeating, months: 3, applies_to: [pro, business] }
                  welcome5: { amount_off: "5.00", duration: once }
                  half: { percent_off: 12.5, duration: forever }
                promotion_codes:
                  LAUNCH20: { coupon: launch20, max_redemptions: 500, expires: 2027-03-31, first_time_only: true }
                  WELCOME: { coupon: welcome5 }
                """, "plans.yaml");
        Coupon launch = c.coupons().get("launch20");
        assertThat(launch.percentOff()).isEqualByComparingTo("20");
        assertThat(launch.duration()).isEqualTo("repeating");
        assertThat(launch.months()).isEqualTo(3);
        assertThat(launch.appliesTo()).containsExactly("pro", "business");
        assertThat(launch.describe()).isEqualTo("20% off for 3 months on pro, business");
        Coupon welcome = c.coupons().get("welcome5");
        assertThat(welcome.amountOff()).isEqualTo(500L);
        assertThat(welcome.currency()).isEqualTo("eur");
        assertThat(welcome.percentOff()).isNull();
        assertThat(c.coupons().get("half").percentOff()).isEqualByComparingTo(new BigDecimal("12.5"));
        PromotionCode code = c.promotionCodes().get("LAUNCH20");
        assertThat(code).isEqualTo(new PromotionCode("LAUNCH20", "launch20", 500L, LocalDate.of(2027, 3, 31), true));
        assertThat(Instant.ofEpochSecond(code.expiresAt())).isEqualTo(Instant.parse("2027-03-31T23:59:59Z"));
        assertThat(c.promotionCodes().get("WELCOME")).isEqualTo(new PromotionCode("WELCOME", "welcome5", null, null, false));
    }

    @Test
    void theTermsHashFollowsTheTermsOnly() {
        Coupon a = new Coupon("x", new BigDecimal("20"), null, null, "once", null, java.util.List.of("pro", "business"));
        Coupon sameOtherOrder = new Coupon("x", new BigDecimal("20.0"), null, null, "once", null, java.util.List.of("business", "pro"));
        Coupon other = new Coupon("x", new BigDecimal("25"), null, null, "once", null, java.util.List.of("pro", "business"));
        assertThat(a.termsHash()).hasSize(16).isEqualTo(sameOtherOrder.termsHash()).isNotEqualTo(other.termsHash());
    }

    @Test
    void everyMistakeIsNamedWithLineAndColumn() {
        String p = problems(PLANS + """
                coupons:
                  a: { percent_off: 120, duration: once }
                  b: { amount_off: "5.001", duration: once }
                  c: { percent_off: 10, amount_off: "1.00", duration: once }
                  d: { percent_off: 10, duration: once, months: 3 }
                  e: { percent_off: 10, duration: repeating }
                  f: { percent_off: 10, duration: onse }
                  g: { percent_off: 10, duration: once, applies_to: [enterprise, pr] }
                  h: { percent_of: 10, duration: once }
                  x_v2: { percent_off: 10, duration: once }
                promotion_codes:
                  SPRING: { coupon: sprng, expires: 31/03/2027 }
                  BAD_CODE: { coupon: a }
                  OK: { coupon: a, max_redemptions: 0, first_tme_only: true }
                """);
        assertThat(p.lines()).contains(
                "plans.yaml:7:21: coupons.a.percent_off: \"120\" must be a number above 0 and at most 100 (two decimals at most)",
                "plans.yaml:8:20: coupons.b.amount_off: \"5.001\" has more than 2 decimals, the most EUR allows",
                "plans.yaml:9:37: coupons.c.amount_off: a coupon has percent_off or amount_off, not both",
                "plans.yaml:10:41: coupons.d.months: months goes with duration: repeating only",
                "plans.yaml:11:35: coupons.e.months: missing (duration: repeating needs months)",
                "plans.yaml:12:35: coupons.f.duration: \"onse\" is not one of once, repeating, forever (did you mean \"once\"?)",
                "plans.yaml:13:53: coupons.g.applies_to: \"enterprise\" is not a plan with prices",
                "plans.yaml:13:53: coupons.g.applies_to: \"pr\" is not a plan with prices (did you mean \"pro\"?)",
                "plans.yaml:14:8: coupons.h.percent_of: unknown key \"percent_of\" (did you mean \"percent_off\"?)",
                "plans.yaml:14:6: coupons.h: needs percent_off (such as 20) or amount_off (such as \"5.00\")",
                "plans.yaml:15:3: coupons.x_v2: coupon key \"x_v2\" must match [a-z0-9_]+ and not end in _v<number>"
                        + " (stripe:setup adds that when the terms change)",
                "plans.yaml:17:21: promotion_codes.SPRING.coupon: no coupon \"sprng\" in coupons:",
                "plans.yaml:17:37: promotion_codes.SPRING.expires: \"31/03/2027\" is not a date such as 2027-03-31",
                "plans.yaml:18:3: promotion_codes.BAD_CODE: code \"BAD_CODE\" may hold only letters, digits and dashes",
                "plans.yaml:19:37: promotion_codes.OK.max_redemptions: must be a whole number from 1 up",
                "plans.yaml:19:40: promotion_codes.OK.first_tme_only: unknown key \"first_tme_only\" (did you mean \"first_time_only\"?)");
    }

    @Test
    void aCodeTwiceRegardlessOfCaseIsAnError() {
        String p = problems(PLANS + """
                coupons:
                  a: { percent_off: 10, duration: once }
                promotion_codes:
                  SPRING: { coupon: a }
                  spring: { coupon: a }
                """);
        assertThat(p).contains("plans.yaml:10:3: promotion_codes.spring: the same code as another one");
    }
}
