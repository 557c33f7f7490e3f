package dev.billingcli.stripe;

import com.stripe.model.Coupon;
import com.stripe.model.PromotionCode;
import com.stripe.model.StripeCollection;
import com.stripe.param.CouponCreateParams;
import com.stripe.param.CouponListParams;
import com.stripe.param.PromotionCodeCreateParams;
import com.stripe.param.PromotionCodeListParams;
import com.stripe.param.PromotionCodeUpdateParams;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Coupons and promotion codes, for {@code stripe:setup} and {@code stripe:verify}, in our own records.
 * At the pinned API version a promotion code names its coupon through {@code promotion[type]=coupon}
 * and {@code promotion[coupon]} (2025-09-30.clover moved it there from a top-level {@code coupon}).
 */
public final class DiscountGateway {
    private final StripeAccess stripe;

    public DiscountGateway(StripeAccess stripe) {
        this.stripe = stripe;
    }

    /**
     * A coupon as Stripe holds it.
     *
     * @param appliesTo product ids; empty when the coupon applies to everything
     * @param maxRedemptions and @param redeemBy Stripe's limits on the coupon itself, null for none (plans.yaml's coupons have none)
     */
    public record StripeCoupon(String id, BigDecimal percentOff, Long amountOff, String currency, String duration,
            Long durationInMonths, List<String> appliesTo, boolean valid, Map<String, String> metadata, Long maxRedemptions, Long redeemBy) {
        public boolean managed() {
            return "billing".equals(metadata.get("managed_by"));
        }
    }

    /** A promotion code as Stripe holds it. @param couponId the coupon of its {@code promotion}, or null */
    public record StripePromotionCode(String id, String code, String couponId, boolean active, Long maxRedemptions, Long expiresAt,
            boolean firstTimeOnly, Map<String, String> metadata) {
        public boolean managed() {
            return "billing".equals(metadata.get("managed_by"));
        }
    }

    /** What a new coupon is made of. @param percentOff or {@code amountOff} with {@code currency} */
    public record NewCoupon(String id, BigDecimal percentOff, Long amountOff, String currency, String duration, Integer months,
            List<String> productIds, Map<String, String> metadata) {}

    /** What a new promotion code is made of. @param maxRedemptions, @param expiresAt null for none */
    public record NewPromotionCode(String code, String couponId, Long maxRedemptions, Long expiresAt, boolean firstTimeOnly,
            Map<String, String> metadata) {}

    /** Every coupon of the account, {@value CatalogGateway#PAGE} a page, with {@code applies_to} (only sent when expanded). */
    public List<StripeCoupon> coupons() {
        List<StripeCoupon> found = new ArrayList<>();
        String after = null;
        do {
            CouponListParams.Builder b = CouponListParams.builder().setLimit((long) CatalogGateway.PAGE).addExpand("data.applies_to");
            if (after != null) {
                b.setStartingAfter(after);
            }
            CouponListParams params = b.build();
            StripeCollection<Coupon> page = stripe.call("list coupons", () -> stripe.client().v1().coupons().list(params));
            page.getData().forEach(c -> found.add(coupon(c)));
            after = Boolean.TRUE.equals(page.getHasMore()) && !page.getData().isEmpty()
                    ? page.getData().get(page.getData().size() - 1).getId() : null;
        } while (after != null);
        return found;
    }

    /** Active promotion codes, all of them or (with a coupon id) those of one coupon, page by page. */
    public List<StripePromotionCode> activePromotionCodes(String couponId) {
        List<StripePromotionCode> found = new ArrayList<>();
        String after = null;
        do {
            PromotionCodeListParams.Builder b = PromotionCodeListParams.builder().setActive(true).setLimit((long) CatalogGateway.PAGE);
            if (couponId != null) {
                b.setCoupon(couponId);
            }
            if (after != null) {
                b.setStartingAfter(after);
            }
            PromotionCodeListParams params = b.build();
            StripeCollection<PromotionCode> page = stripe.call("list promotion codes",
                    () -> stripe.client().v1().promotionCodes().list(params));
            page.getData().forEach(c -> found.add(promotionCode(c)));
            after = Boolean.TRUE.equals(page.getHasMore()) && !page.getData().isEmpty()
                    ? page.getData().get(page.getData().size() - 1).getId() : null;
        } while (after != null);
        return found;
    }

    /** One coupon by id; empty when Stripe has none by that id (404), deleted ones included. */
    public java.util.Optional<StripeCoupon> coupon(String id) {
        Coupon c = stripe.call("read coupon " + id, () -> {
            try {
                return stripe.client().v1().coupons().retrieve(id);
            } catch (com.stripe.exception.InvalidRequestException e) {
                if (Integer.valueOf(404).equals(e.getStatusCode())) {
                    return null;
                }
                throw e;
            }
        });
        return java.util.Optional.ofNullable(c).map(DiscountGateway::coupon);
    }

    /** The active promotion code with this customer-facing code (Stripe matches it regardless of case), if any. */
    public java.util.Optional<StripePromotionCode> activePromotionCode(String code) {
        PromotionCodeListParams params = PromotionCodeListParams.builder().setCode(code).setActive(true).setLimit(1L).build();
        StripeCollection<PromotionCode> page = stripe.call("look up promotion code " + code,
                () -> stripe.client().v1().promotionCodes().list(params));
        return page.getData().stream().findFirst().map(DiscountGateway::promotionCode);
    }

    public StripeCoupon createCoupon(NewCoupon c) {
        CouponCreateParams.Builder b = CouponCreateParams.builder().setId(c.id())
                .setDuration(CouponCreateParams.Duration.valueOf(c.duration().toUpperCase(Locale.ROOT))).putAllMetadata(c.metadata());
        if (c.percentOff() != null) {
            b.setPercentOff(c.percentOff());
        } else {
            b.setAmountOff(c.amountOff()).setCurrency(c.currency());
        }
        if (c.months() != null) {
            b.setDurationInMonths((long) c.months());
        }
        if (!c.productIds().isEmpty()) {
            b.setAppliesTo(CouponCreateParams.AppliesTo.builder().addAllProduct(c.productIds()).build());
        }
        CouponCreateParams params = b.build();
        return coupon(stripe.call("create coupon " + c.id(), () -> stripe.client().v1().coupons().create(params, stripe.write())));
    }

    /** Deletes a coupon: no new redemptions; discounts already applied stay. */
    /** Adds metadata to a coupon without changing anything else (its terms cannot change): {@code --adopt}. */
    public void tagCoupon(String id, Map<String, String> metadata) {
        com.stripe.param.CouponUpdateParams params = com.stripe.param.CouponUpdateParams.builder().putAllMetadata(metadata).build();
        stripe.call("tag coupon " + id, () -> stripe.client().v1().coupons().update(id, params, stripe.write()));
    }

    public void deleteCoupon(String id) {
        stripe.call("delete coupon " + id, () -> stripe.client().v1().coupons().delete(id, stripe.write()));
    }

    public StripePromotionCode createPromotionCode(NewPromotionCode c) {
        PromotionCodeCreateParams.Builder b = PromotionCodeCreateParams.builder().setCode(c.code())
                .setPromotion(PromotionCodeCreateParams.Promotion.builder().setType(PromotionCodeCreateParams.Promotion.Type.COUPON)
                        .setCoupon(c.couponId()).build())
                .putAllMetadata(c.metadata());
        if (c.maxRedemptions() != null) {
            b.setMaxRedemptions(c.maxRedemptions());
        }
        if (c.expiresAt() != null) {
            b.setExpiresAt(c.expiresAt());
        }
        if (c.firstTimeOnly()) {
            b.setRestrictions(PromotionCodeCreateParams.Restrictions.builder().setFirstTimeTransaction(true).build());
        }
        PromotionCodeCreateParams params = b.build();
        return promotionCode(stripe.call("create promotion code " + c.code(),
                () -> stripe.client().v1().promotionCodes().create(params, stripe.write())));
    }

    /** A code's terms cannot be edited: deactivating is the only change we make to one. */
    public void deactivatePromotionCode(String id) {
        PromotionCodeUpdateParams params = PromotionCodeUpdateParams.builder().setActive(false).build();
        stripe.call("deactivate promotion code " + id, () -> stripe.client().v1().promotionCodes().update(id, params, stripe.write()));
    }

    // ---- mapping to our records ----

    static StripeCoupon coupon(Coupon c) {
        List<String> products = c.getAppliesTo() == null || c.getAppliesTo().getProducts() == null ? List.of()
                : List.copyOf(c.getAppliesTo().getProducts());
        return new StripeCoupon(c.getId(), c.getPercentOff(), c.getAmountOff(), c.getCurrency(), c.getDuration(), c.getDurationInMonths(),
                products, Boolean.TRUE.equals(c.getValid()), c.getMetadata() == null ? Map.of() : Map.copyOf(c.getMetadata()),
                c.getMaxRedemptions(), c.getRedeemBy());
    }

    static StripePromotionCode promotionCode(PromotionCode p) {
        String coupon = p.getPromotion() == null ? null : p.getPromotion().getCoupon();
        return new StripePromotionCode(p.getId(), p.getCode(), coupon, Boolean.TRUE.equals(p.getActive()), p.getMaxRedemptions(),
                p.getExpiresAt(), p.getRestrictions() != null && Boolean.TRUE.equals(p.getRestrictions().getFirstTimeTransaction()),
                p.getMetadata() == null ? Map.of() : Map.copyOf(p.getMetadata()));
    }
}
