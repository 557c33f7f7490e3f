package dev.billingcli.catalog;

import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * A customer-facing code of plans.yaml for one of its coupons. Stripe cannot edit a code's terms, so a
 * change is a new code (the old one deactivated).
 *
 * @param maxRedemptions null for no limit
 * @param expires the last day the code is valid (UTC), or null
 * @param firstTimeOnly only for customers without a successful payment yet
 */
public record PromotionCode(String code, String coupon, Long maxRedemptions, LocalDate expires, boolean firstTimeOnly) {
    /** Stripe's {@code expires_at}: the end of the {@code expires} day, UTC (23:59:59), or null. */
    public Long expiresAt() {
        return expires == null ? null : expires.plusDays(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC) - 1;
    }
}
