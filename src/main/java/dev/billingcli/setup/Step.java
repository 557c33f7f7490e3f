package dev.billingcli.setup;

import dev.billingcli.catalog.Coupon;
import dev.billingcli.catalog.PlanPrice;
import dev.billingcli.catalog.PromotionCode;
import dev.billingcli.stripe.DiscountGateway.StripeCoupon;
import dev.billingcli.stripe.DiscountGateway.StripePromotionCode;
import dev.billingcli.stripe.CatalogGateway.StripePrice;
import dev.billingcli.stripe.CatalogGateway.StripeProduct;
import java.util.List;

/**
 * One difference between plans.yaml and Stripe, and what {@code stripe:setup} does about it. The same
 * list is {@code stripe:verify}'s drift report ({@link #drift()}) and setup's plan ({@link #action()}).
 */
public sealed interface Step {
    /** One line for {@code stripe:verify}; null when the step only follows from another step's difference. */
    String drift();

    /** One line for {@code stripe:setup}: what it does (or, for blocked steps, why it does not). */
    String action();

    /** Whether applying this step sends a write to Stripe. */
    default boolean writes() {
        return true;
    }

    default String kind() {
        return getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    record CreateProduct(String planId, String productId, String name) implements Step {
        public String drift() {
            return "missing product " + productId + " for plan " + planId;
        }

        public String action() {
            return "create product " + productId + " (" + name + ")";
        }
    }

    /** @param changes what differs: name, description, features, archived, metadata */
    record UpdateProduct(String planId, StripeProduct current, List<String> changes) implements Step {
        public String drift() {
            return changes.contains("archived") && changes.size() == 1 ? "product archived: " + current.id()
                    : "product " + current.id() + " differs: " + String.join(", ", changes);
        }

        public String action() {
            return "update product " + current.id() + " (" + String.join(", ", changes) + ")";
        }
    }

    record AdoptProduct(String planId, StripeProduct current) implements Step {
        public String drift() {
            return "product " + current.id() + " for plan " + planId + " is not managed by billing";
        }

        public String action() {
            return "adopt product " + current.id() + " (tag managed_by=billing)";
        }
    }

    /** @param replaces the price that holds the lookup key now (its key moves to the new price), or null */
    record CreatePrice(PlanPrice price, StripePrice replaces, String reason) implements Step {
        public String drift() {
            return replaces == null ? "missing price " + price.lookupKey() : price.lookupKey() + ": " + reason;
        }

        public String action() {
            return "create price " + price.lookupKey() + " " + price.displayAll()
                    + (price.taxBehavior() == null ? "" : " tax " + price.taxBehavior())
                    + (replaces == null ? "" : " (moves the lookup key from " + replaces.id() + ": " + reason + ")");
        }
    }

    /**
     * A price whose tax behaviour is still {@code unspecified} gets plans.yaml's: Stripe lets it be set once, in place
     * (a set behaviour never changes: a different one is a new price).
     */
    record SetTaxBehavior(PlanPrice price, StripePrice current) implements Step {
        public String drift() {
            return price.lookupKey() + ": tax behavior " + current.taxBehavior() + " in Stripe, " + price.taxBehavior() + " in plans.yaml";
        }

        public String action() {
            return "set tax behavior " + price.taxBehavior() + " on price " + current.id() + " (" + price.lookupKey()
                    + "; unspecified until now, so Stripe allows it once)";
        }
    }

    /** Archiving the price a new one replaces: part of the replacement, so not a difference of its own. */
    record ArchivePrice(StripePrice price, String why) implements Step {
        public String drift() {
            return null;
        }

        public String action() {
            return "archive price " + price.id() + " (" + why + ")";
        }
    }

    record ReactivatePrice(StripePrice price) implements Step {
        public String drift() {
            return "price archived: " + price.lookupKey() + " (" + price.id() + ")";
        }

        public String action() {
            return "reactivate price " + price.id() + " (" + price.lookupKey() + ")";
        }
    }

    record AdoptPrice(PlanPrice price, StripePrice current) implements Step {
        public String drift() {
            return "lookup key " + price.lookupKey() + " is held by unmanaged price " + current.id();
        }

        public String action() {
            return "adopt price " + current.id() + " (" + price.lookupKey() + "; tag managed_by=billing)";
        }
    }

    /** Something setup must not touch without a flag: reported, never applied. */
    record Blocked(String what, String hint) implements Step {
        public String drift() {
            return what;
        }

        public String action() {
            return "skip: " + what + " (" + hint + ")";
        }

        @Override
        public boolean writes() {
            return false;
        }
    }

    /** A managed, active price of a current plan whose cycle is gone from plans.yaml (say, yearly dropped). */
    record ExtraPrice(StripePrice price, boolean prune) implements Step {
        public String drift() {
            return "extra managed price " + price.id() + " (" + describe() + " not in plans.yaml)";
        }

        public String action() {
            return prune ? "archive price " + price.id() + " (" + describe() + " no longer in plans.yaml)"
                    : "keep extra price " + price.id() + " (" + describe() + " no longer in plans.yaml; --prune archives it)";
        }

        /** "pro_yearly is", or what is known when the price has neither a lookup key nor both metadata fields. */
        private String describe() {
            String plan = price.metadata().get("billing_plan");
            String cycle = price.metadata().get("billing_cycle");
            return price.lookupKey() != null ? price.lookupKey() + " is"
                    : plan != null && cycle != null ? plan + "_" + cycle + " is"
                    : "no lookup key, no plan and cycle in its metadata:";
        }

        @Override
        public boolean writes() {
            return prune;
        }
    }

    /** A managed product whose plan is gone from plans.yaml; archived only with {@code --prune}. */
    record ExtraProduct(StripeProduct product, boolean prune) implements Step {
        public String drift() {
            String plan = product.metadata().get("billing_plan");
            return "extra managed product " + product.id() + (plan != null ? " (plan " + plan + " is not in plans.yaml)"
                    : " (no billing_plan in its metadata, and no plan of plans.yaml uses it)");
        }

        public String action() {
            return prune ? "archive product " + product.id() + " and its prices (plan no longer in plans.yaml)"
                    : "keep extra product " + product.id() + " (plan no longer in plans.yaml; --prune archives it)";
        }

        @Override
        public boolean writes() {
            return prune;
        }
    }

    record CreatePortal() implements Step {
        public String drift() {
            return "missing billing portal configuration";
        }

        public String action() {
            return "create the billing portal configuration";
        }
    }

    record UpdatePortal(String id, List<String> changes) implements Step {
        public String drift() {
            return "billing portal configuration " + id + " differs: " + String.join(", ", changes);
        }

        public String action() {
            return "update billing portal configuration " + id + " (" + String.join(", ", changes) + ")";
        }
    }

    /**
     * A coupon version to create: the first ({@code id} = the key) or, terms being immutable, the next
     * ({@code launch20_v2}) when the terms changed.
     *
     * @param productIds the products of its {@code applies_to} plans
     * @param replaces the newest version so far, or null
     */
    /** An unmanaged coupon with a plans.yaml key's id whose terms match: {@code --adopt} tags it, nothing else changes. */
    record AdoptCoupon(Coupon coupon, StripeCoupon current) implements Step {
        public String drift() {
            return "coupon " + current.id() + " is not managed by billing";
        }

        public String action() {
            return "adopt coupon " + current.id() + " (" + coupon.describe() + "; tag managed_by=billing)";
        }
    }

    record CreateCoupon(Coupon coupon, String id, List<String> productIds, StripeCoupon replaces, String reason) implements Step {
        public String drift() {
            return replaces == null ? "missing coupon " + coupon.key() : "coupon " + coupon.key() + ": " + reason;
        }

        public String action() {
            return "create coupon " + id + " (" + coupon.describe() + ")"
                    + (replaces == null ? "" : "; terms are immutable, it replaces " + replaces.id() + " (" + reason + ")");
        }
    }

    /**
     * A managed coupon plans.yaml no longer describes: an older version of a coupon, or a coupon whose
     * key is gone. Deleted only with {@code --prune} (discounts already applied stay; no new redemptions).
     *
     * @param replacedNow true when this run's new version replaces it (then not a difference of its own)
     */
    record OldCoupon(StripeCoupon coupon, String why, boolean replacedNow, boolean prune) implements Step {
        public String drift() {
            return replacedNow ? null : "extra managed coupon " + coupon.id() + " (" + why + ")";
        }

        public String action() {
            return prune ? "delete coupon " + coupon.id() + " (" + why + ")"
                    : "keep coupon " + coupon.id() + " (" + why + "; --prune deletes it)";
        }

        @Override
        public boolean writes() {
            return prune;
        }
    }

    /** @param replaces the active code with the same code whose terms differ (deactivated first), or null */
    record CreatePromotionCode(PromotionCode code, String couponId, StripePromotionCode replaces, String reason) implements Step {
        public String drift() {
            return replaces == null ? "missing promotion code " + code.code() : "promotion code " + code.code() + ": " + reason;
        }

        public String action() {
            return "create promotion code " + code.code() + " for coupon " + couponId
                    + (replaces == null ? "" : " (codes cannot be edited: replaces " + replaces.id() + ", " + reason + ")");
        }
    }

    /** Deactivating the code a new one replaces: part of the replacement, so not a difference of its own. */
    record DeactivatePromotionCode(StripePromotionCode code, String why) implements Step {
        public String drift() {
            return null;
        }

        public String action() {
            return "deactivate promotion code " + code.code() + " " + code.id() + " (" + why + ")";
        }
    }

    /** An active managed code gone from plans.yaml; deactivated only with {@code --prune}. */
    record ExtraPromotionCode(StripePromotionCode code, boolean prune) implements Step {
        public String drift() {
            return "extra managed promotion code " + code.code() + " " + code.id() + " (not in plans.yaml)";
        }

        public String action() {
            return prune ? "deactivate promotion code " + code.code() + " " + code.id() + " (no longer in plans.yaml)"
                    : "keep promotion code " + code.code() + " " + code.id() + " active (no longer in plans.yaml; --prune deactivates it)";
        }

        @Override
        public boolean writes() {
            return prune;
        }
    }
}
