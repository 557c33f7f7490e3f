package dev.billingcli.setup;

import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.Coupon;
import dev.billingcli.catalog.Money;
import dev.billingcli.catalog.PromotionCode;
import dev.billingcli.stripe.DiscountGateway;
import dev.billingcli.stripe.DiscountGateway.StripeCoupon;
import dev.billingcli.stripe.DiscountGateway.StripePromotionCode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The coupons and promotion codes of plans.yaml against Stripe: part of {@link CatalogSync}. Reads one
 * coupon list and one active promotion code list ({@value dev.billingcli.stripe.CatalogGateway#PAGE} a page).
 *
 * <p>A coupon's terms are immutable in Stripe, so each version is its own coupon: {@code launch20}, then
 * {@code launch20_v2}, … all tagged {@code managed_by=billing}, {@code billing_coupon=<key>} and
 * {@code billing_terms=<hash of the terms>}. The version whose terms match plans.yaml is the current
 * one; older versions are deleted only with {@code --prune}. Promotion codes cannot be edited either
 * (only {@code active}, metadata and some restrictions): a code whose coupon, limit, expiry or
 * first-time rule changed is deactivated and created again.
 */
final class Discounts {
    static final String COUPON_KEY = "billing_coupon";
    static final String TERMS = "billing_terms";
    private static final Pattern VERSION = Pattern.compile("(.+)_v(\\d+)");

    private final Catalog catalog;
    private final DiscountGateway stripe;

    Discounts(Catalog catalog, DiscountGateway stripe) {
        this.catalog = catalog;
        this.stripe = stripe;
    }

    static Map<String, String> couponMetadata(Coupon c) {
        return Map.of(CatalogSync.MANAGED_BY, CatalogSync.MANAGER, COUPON_KEY, c.key(), TERMS, c.termsHash());
    }

    static Map<String, String> codeMetadata(PromotionCode c) {
        return Map.of(CatalogSync.MANAGED_BY, CatalogSync.MANAGER, "billing_code", c.code());
    }

    /**
     * Appends the coupon and promotion code steps: new coupon versions, then code replacements, then
     * codes and coupons plans.yaml no longer has (an order {@link CatalogSync#apply} keeps).
     *
     * @param products plan id → the product its prices belong to (absent when the plan is blocked)
     */
    void analyze(Map<String, String> products, CatalogSync.Options options, List<Step> steps) {
        boolean prune = options.prune();
        List<StripeCoupon> all = stripe.coupons();
        Map<String, StripeCoupon> byId = new HashMap<>();
        all.forEach(c -> byId.put(c.id(), c));
        List<Step> couponSteps = new ArrayList<>();
        List<Step> codeSteps = new ArrayList<>();
        List<Step> oldCoupons = new ArrayList<>();
        Map<String, String> currentIds = new HashMap<>(); // coupon key → the version codes should use
        for (Coupon coupon : catalog.coupons().values()) {
            List<String> productIds = new ArrayList<>();
            String blockedPlan = null;
            for (String plan : coupon.appliesTo()) {
                String product = products.get(plan);
                if (product == null) {
                    blockedPlan = plan;
                }
                productIds.add(product);
            }
            if (blockedPlan != null) {
                couponSteps.add(new Step.Blocked("coupon " + coupon.key() + " applies to plan " + blockedPlan
                        + ", whose product is not managed by billing", "--adopt takes the product over"));
                continue;
            }
            StripeCoupon holder = byId.get(coupon.key());
            StripeCoupon adopted = null;
            if (holder != null && !holder.managed()) {
                if (!options.adopt()) {
                    couponSteps.add(new Step.Blocked("coupon " + coupon.key() + " exists and is not managed by billing",
                            "--adopt takes it over when its terms match plans.yaml; else delete it or rename the coupon in plans.yaml"));
                    continue;
                }
                List<String> why = adoptionProblems(coupon, productIds, holder);
                if (!why.isEmpty()) {
                    couponSteps.add(new Step.Blocked("coupon " + coupon.key() + " is not managed by billing and cannot be adopted: "
                            + String.join("; ", why), "a coupon's terms never change in Stripe: delete it or rename the coupon in plans.yaml"));
                    continue;
                }
                couponSteps.add(new Step.AdoptCoupon(coupon, holder));
                adopted = holder;
            }
            StripeCoupon adoptedNow = adopted;
            List<StripeCoupon> versions = all.stream().filter(c -> c == adoptedNow
                            || c.managed() && coupon.key().equals(c.metadata().get(COUPON_KEY)))
                    .sorted(Comparator.comparingInt(c -> version(c.id(), coupon.key()))).toList();
            StripeCoupon current = adopted != null ? adopted
                    : versions.stream().filter(c -> differences(coupon, productIds, c).isEmpty()).reduce((a, b) -> b).orElse(null);
            boolean replacedNow = false;
            if (current == null) {
                int next = all.stream().mapToInt(c -> version(c.id(), coupon.key())).max().orElse(0) + 1;
                String id = next == 1 ? coupon.key() : coupon.key() + "_v" + next;
                StripeCoupon newest = versions.isEmpty() ? null : versions.get(versions.size() - 1);
                couponSteps.add(new Step.CreateCoupon(coupon, id, List.copyOf(productIds), newest,
                        newest == null ? null : String.join("; ", differences(coupon, productIds, newest))));
                currentIds.put(coupon.key(), id);
                replacedNow = newest != null;
            } else {
                currentIds.put(coupon.key(), current.id());
            }
            String now = currentIds.get(coupon.key());
            for (StripeCoupon old : versions) {
                if (!old.id().equals(now)) {
                    oldCoupons.add(new Step.OldCoupon(old, "an older version of " + coupon.key() + ", replaced by " + now,
                            replacedNow, prune));
                }
            }
        }
        for (StripeCoupon c : all) {
            String key = c.metadata().get(COUPON_KEY);
            if (c.managed() && (key == null || !catalog.coupons().containsKey(key))) {
                oldCoupons.add(new Step.OldCoupon(c, key == null ? "no billing_coupon in its metadata" : "coupon " + key
                        + " is not in plans.yaml", false, prune));
            }
        }
        List<StripePromotionCode> active = stripe.activePromotionCodes(null);
        var wanted = new HashSet<String>();
        for (PromotionCode code : catalog.promotionCodes().values()) {
            wanted.add(code.code().toUpperCase(Locale.ROOT));
            String couponId = currentIds.get(code.coupon());
            if (couponId == null) {
                continue; // its coupon is blocked, and reported
            }
            StripePromotionCode existing = active.stream().filter(a -> a.code().equalsIgnoreCase(code.code())).findFirst().orElse(null);
            if (existing == null) {
                codeSteps.add(new Step.CreatePromotionCode(code, couponId, null, null));
                continue;
            }
            if (!existing.managed()) {
                codeSteps.add(new Step.Blocked("promotion code " + code.code() + " (" + existing.id() + ") is active and not managed by billing",
                        "deactivate it in the Dashboard"));
                continue;
            }
            List<String> changes = differences(code, couponId, existing);
            if (!changes.isEmpty()) {
                String reason = String.join("; ", changes);
                codeSteps.add(new Step.DeactivatePromotionCode(existing, "replaced: " + reason));
                codeSteps.add(new Step.CreatePromotionCode(code, couponId, existing, reason));
            }
        }
        for (StripePromotionCode a : active) {
            if (a.managed() && !wanted.contains(a.code().toUpperCase(Locale.ROOT))) {
                codeSteps.add(new Step.ExtraPromotionCode(a, prune));
            }
        }
        steps.addAll(couponSteps);
        steps.addAll(codeSteps);
        steps.addAll(oldCoupons);
    }

    /** 1 for the key itself, n for {@code key_vn}, 0 for another coupon. */
    static int version(String id, String key) {
        if (id.equals(key)) {
            return 1;
        }
        Matcher m = VERSION.matcher(id);
        return m.matches() && m.group(1).equals(key) && m.group(2).length() < 9 ? Integer.parseInt(m.group(2)) : 0;
    }

    /**
     * Why an unmanaged coupon cannot become plans.yaml's: its terms differ, it takes no more redemptions, or it has a
     * limit plans.yaml's coupons do not have ({@code max_redemptions}, {@code redeem_by}). Empty when it can be adopted.
     */
    static List<String> adoptionProblems(Coupon want, List<String> productIds, StripeCoupon have) {
        List<String> out = new ArrayList<>(termDifferences(want, productIds, have));
        if (!have.valid()) {
            out.add("it is no longer valid in Stripe (expired or fully redeemed)");
        }
        if (have.maxRedemptions() != null) {
            out.add("it has max_redemptions " + have.maxRedemptions() + ", which plans.yaml's coupons do not have");
        }
        if (have.redeemBy() != null) {
            out.add("it has redeem_by " + java.time.Instant.ofEpochSecond(have.redeemBy()) + ", which plans.yaml's coupons do not have");
        }
        return out;
    }

    /** How Stripe's coupon differs from plans.yaml's terms; empty when it is that version. */
    static List<String> differences(Coupon want, List<String> productIds, StripeCoupon have) {
        List<String> out = termDifferences(want, productIds, have);
        if (out.isEmpty() && !want.termsHash().equals(have.metadata().get(TERMS))) {
            out.add("terms hash " + have.metadata().get(TERMS) + " in Stripe, " + want.termsHash() + " for plans.yaml");
        }
        return out;
    }

    /** The terms themselves (what a coupon gives, for how long, on what), without the hash in the metadata. */
    private static List<String> termDifferences(Coupon want, List<String> productIds, StripeCoupon have) {
        List<String> out = new ArrayList<>();
        if (want.percentOff() != null) {
            if (have.percentOff() == null || have.percentOff().compareTo(want.percentOff()) != 0) {
                out.add("percent_off " + (have.percentOff() == null ? "none" : have.percentOff().stripTrailingZeros().toPlainString())
                        + " in Stripe, " + want.percentOff().stripTrailingZeros().toPlainString() + " in plans.yaml");
            }
        } else if (!Objects.equals(have.amountOff(), want.amountOff()) || !want.currency().equals(have.currency())) {
            out.add("amount_off " + (have.amountOff() == null ? "none" : Money.format(have.amountOff(), have.currency()) + " "
                    + have.currency().toUpperCase(Locale.ROOT)) + " in Stripe, " + Money.format(want.amountOff(), want.currency()) + " "
                    + want.currency().toUpperCase(Locale.ROOT) + " in plans.yaml");
        }
        if (!want.duration().equals(have.duration())) {
            out.add("duration " + have.duration() + " in Stripe, " + want.duration() + " in plans.yaml");
        } else if (!Objects.equals(want.months() == null ? null : (long) want.months(), have.durationInMonths())) {
            out.add("months " + have.durationInMonths() + " in Stripe, " + want.months() + " in plans.yaml");
        }
        if (!new HashSet<>(productIds).equals(new HashSet<>(have.appliesTo()))) {
            out.add("applies_to " + (have.appliesTo().isEmpty() ? "every product" : String.join(", ", have.appliesTo())) + " in Stripe, "
                    + (productIds.isEmpty() ? "every product" : String.join(", ", productIds)) + " in plans.yaml");
        }
        return out;
    }

    /** How an active code differs from plans.yaml; empty when it is the same. */
    static List<String> differences(PromotionCode want, String couponId, StripePromotionCode have) {
        List<String> out = new ArrayList<>();
        if (!couponId.equals(have.couponId())) {
            out.add("coupon " + have.couponId() + " in Stripe, " + couponId + " for plans.yaml");
        }
        if (!Objects.equals(want.maxRedemptions(), have.maxRedemptions())) {
            out.add("max_redemptions " + orNone(have.maxRedemptions()) + " in Stripe, " + orNone(want.maxRedemptions()) + " in plans.yaml");
        }
        if (!Objects.equals(want.expiresAt(), have.expiresAt())) {
            out.add("expires " + (have.expiresAt() == null ? "never" : java.time.Instant.ofEpochSecond(have.expiresAt()).toString())
                    + " in Stripe, " + (want.expires() == null ? "never" : want.expires() + " (end of day UTC)") + " in plans.yaml");
        }
        if (want.firstTimeOnly() != have.firstTimeOnly()) {
            out.add("first_time_only " + have.firstTimeOnly() + " in Stripe, " + want.firstTimeOnly() + " in plans.yaml");
        }
        return out;
    }

    private static String orNone(Long v) {
        return v == null ? "none" : v.toString();
    }

    /** Carries out one coupon or code step; returns the line for what was done, or null when the step is not one of these. */
    String apply(Step step) {
        if (step instanceof Step.AdoptCoupon s) {
            stripe.tagCoupon(s.current().id(), couponMetadata(s.coupon()));
            return "adopted coupon " + s.current().id() + " (" + s.coupon().describe() + ")";
        } else if (step instanceof Step.CreateCoupon s) {
            Coupon c = s.coupon();
            stripe.createCoupon(new DiscountGateway.NewCoupon(s.id(), c.percentOff(), c.amountOff(), c.currency(), c.duration(), c.months(),
                    s.productIds(), couponMetadata(c)));
            return "created coupon " + s.id() + " (" + c.describe() + ")" + (s.replaces() == null ? "" : ", replacing " + s.replaces().id());
        } else if (step instanceof Step.DeactivatePromotionCode s) {
            stripe.deactivatePromotionCode(s.code().id());
            return "deactivated promotion code " + s.code().code() + " " + s.code().id() + " (" + s.why() + ")";
        } else if (step instanceof Step.CreatePromotionCode s) {
            PromotionCode c = s.code();
            StripePromotionCode created = stripe.createPromotionCode(new DiscountGateway.NewPromotionCode(c.code(), s.couponId(),
                    c.maxRedemptions(), c.expiresAt(), c.firstTimeOnly(), codeMetadata(c)));
            return "created promotion code " + c.code() + " " + created.id() + " for coupon " + s.couponId();
        } else if (step instanceof Step.ExtraPromotionCode s && s.prune()) {
            stripe.deactivatePromotionCode(s.code().id());
            return "deactivated promotion code " + s.code().code() + " " + s.code().id() + " (no longer in plans.yaml)";
        } else if (step instanceof Step.OldCoupon s && s.prune()) {
            long others = stripe.activePromotionCodes(s.coupon().id()).size();
            stripe.deleteCoupon(s.coupon().id());
            return "deleted coupon " + s.coupon().id() + " (" + s.why() + ")"
                    + (others == 0 ? "" : "; " + others + " active promotion code" + (others == 1 ? "" : "s") + " not managed by billing used it");
        }
        return null;
    }
}
