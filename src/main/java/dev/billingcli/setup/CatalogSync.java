package dev.billingcli.setup;

import dev.billingcli.stripe.PortalGateway;
import dev.billingcli.stripe.PortalGateway.PortalConfiguration;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.Plan;
import dev.billingcli.catalog.PlanPrice;
import dev.billingcli.stripe.CatalogGateway;
import dev.billingcli.stripe.CatalogGateway.StripePrice;
import dev.billingcli.stripe.CatalogGateway.StripeProduct;
import dev.billingcli.stripe.DiscountGateway;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reconciles plans.yaml into Stripe: {@link #analyze} compares (reads only) and returns the steps,
 * {@link #apply} carries them out. {@code stripe:verify} prints the steps as drift; {@code stripe:setup
 * --dry-run} prints them as a plan.
 *
 * <p>What exists is found by deterministic product id ({@code billing_<plan>}) and by price lookup key
 * ({@code <plan>_<cycle>}), never by name. Reads for a catalog of P plans with N prices: ⌈N/10⌉ price
 * lists (with products expanded), ⌈P/100⌉ product lists, one product search and one price search
 * (only to report managed products whose plan, and prices whose cycle, left plans.yaml; search is
 * eventually consistent, so nothing is created on its word), one portal configuration list, and one
 * coupon list and one active promotion code list per 100 of each ({@link Discounts}).
 */
public final class CatalogSync {
    public static final String MANAGED_BY = "managed_by";
    public static final String MANAGER = "billing";

    public record Options(boolean adopt, boolean prune) {
        public static final Options NONE = new Options(false, false);
    }

    /** @param portalNote why the portal was not compared (restricted key), or null */
    /** @param priceIds lookup key → the price that holds it in Stripe now */
    /** @param coupons and @param promotionCodes how many plans.yaml has */
    public record Analysis(List<Step> steps, int products, int prices, String portalNote, Map<String, String> priceIds, int coupons,
            int promotionCodes) {
        public boolean inSync() {
            return steps.isEmpty();
        }

        public long writes() {
            return steps.stream().filter(Step::writes).count();
        }
    }

    /** @param done one line per write made; @param priceIds lookup key → current price id */
    public record Result(List<String> done, Map<String, String> priceIds, List<Step> skipped) {}

    private final Catalog catalog;
    private final CatalogGateway stripe;
    private final PortalGateway portal;
    private final Discounts discounts;

    public CatalogSync(Catalog catalog, CatalogGateway stripe) {
        this.catalog = catalog;
        this.stripe = stripe;
        this.portal = new PortalGateway(stripe.access());
        this.discounts = new Discounts(catalog, new DiscountGateway(stripe.access()));
    }

    /** The Stripe key in use, masked (test or live, restricted or secret). */
    public String stripeKey() {
        return stripe.access().describeKey();
    }

    /** Refuses a live key without {@code --live} (exit 2), before anything is read. */
    public void checkWritesAllowed() {
        stripe.access().checkWritesAllowed();
    }

    public static String productId(String planId) {
        return "billing_" + planId;
    }

    static Map<String, String> productMetadata(String planId) {
        return Map.of(MANAGED_BY, MANAGER, "billing_plan", planId);
    }

    static Map<String, String> priceMetadata(PlanPrice price) {
        return Map.of(MANAGED_BY, MANAGER, "billing_plan", price.planId(), "billing_cycle", price.cycle().key());
    }

    private List<Plan> sold() {
        return catalog.plans().values().stream().filter(p -> !p.prices().isEmpty()).toList();
    }

    // ------------------------------------------------------------------ analyze

    /** Reads Stripe and lists every step needed; sends no write. */
    public Analysis analyze(Options options, boolean checkPortal) {
        List<Plan> plans = sold();
        List<String> keys = plans.stream().flatMap(p -> p.prices().values().stream()).map(PlanPrice::lookupKey).toList();
        Map<String, StripePrice> byKey = new HashMap<>();
        for (StripePrice p : stripe.pricesByLookupKeys(keys)) {
            byKey.put(p.lookupKey(), p);
        }
        Map<String, StripeProduct> byId = new HashMap<>();
        for (StripeProduct p : stripe.productsByIds(plans.stream().map(p -> productId(p.id())).toList())) {
            byId.put(p.id(), p);
        }
        List<Step> steps = new ArrayList<>();
        Map<String, String> resolvedProducts = new HashMap<>();
        for (Plan plan : plans) {
            String productId = analyzeProduct(plan, byId, byKey, options, steps);
            if (productId == null) {
                continue;
            }
            resolvedProducts.put(plan.id(), productId);
            for (PlanPrice price : plan.prices().values()) {
                analyzePrice(price, productId, byKey.get(price.lookupKey()), options, steps);
            }
        }
        Set<String> keySet = Set.copyOf(keys);
        for (StripePrice extra : stripe.managedActivePrices()) {
            boolean ofCurrentPlan = resolvedProducts.containsValue(extra.productId());
            if (ofCurrentPlan && (extra.lookupKey() == null || !keySet.contains(extra.lookupKey()))
                    && steps.stream().noneMatch(st -> st instanceof Step.ArchivePrice a && a.price().id().equals(extra.id()))) {
                steps.add(new Step.ExtraPrice(extra, options.prune()));
            }
        }
        Set<String> planIds = plans.stream().map(Plan::id).collect(Collectors.toSet());
        for (StripeProduct extra : stripe.managedProducts()) {
            boolean known = planIds.contains(extra.metadata().get("billing_plan")) || resolvedProducts.containsValue(extra.id());
            if (!known && extra.active()) {
                steps.add(new Step.ExtraProduct(extra, options.prune()));
            }
        }
        discounts.analyze(resolvedProducts, options, steps);
        String portalNote = null;
        if (catalog.portal() != null && checkPortal) {
            try {
                analyzePortal(byKey, resolvedProducts, steps);
            } catch (dev.billingcli.BillingException e) {
                if (!stripe.access().restricted()) {
                    throw e;
                }
                portalNote = "portal configuration not compared: " + e.getMessage();
            }
        }
        int priceCount = (int) plans.stream().mapToLong(p -> p.prices().size()).sum();
        Map<String, String> priceIds = new LinkedHashMap<>();
        byKey.forEach((k, v) -> priceIds.put(k, v.id()));
        return new Analysis(List.copyOf(steps), plans.size(), priceCount, portalNote, priceIds, catalog.coupons().size(),
                catalog.promotionCodes().size());
    }

    /** Returns the product id the plan's prices belong to, or null when the plan must be skipped. */
    private String analyzeProduct(Plan plan, Map<String, StripeProduct> byId, Map<String, StripePrice> byKey, Options options,
            List<Step> steps) {
        StripeProduct product = byId.get(productId(plan.id()));
        if (product == null) {
            // a product adopted earlier keeps its own id; its managed prices lead to it
            product = plan.prices().values().stream().map(pp -> byKey.get(pp.lookupKey()))
                    .filter(Objects::nonNull).map(StripePrice::product).filter(Objects::nonNull)
                    .filter(p -> p.managed() && plan.id().equals(p.metadata().get("billing_plan")))
                    .findFirst().orElse(null);
        }
        if (product == null && options.adopt()) {
            product = plan.prices().values().stream().map(pp -> byKey.get(pp.lookupKey()))
                    .filter(Objects::nonNull).map(StripePrice::product).filter(Objects::nonNull).findFirst().orElse(null);
        }
        if (product == null) {
            steps.add(new Step.CreateProduct(plan.id(), productId(plan.id()), plan.name()));
            return productId(plan.id());
        }
        if (!product.managed()) {
            if (!options.adopt()) {
                steps.add(new Step.Blocked("product " + product.id() + " for plan " + plan.id() + " is not managed by billing",
                        "--adopt takes it over"));
                return null;
            }
            steps.add(new Step.AdoptProduct(plan.id(), product));
        }
        List<String> changes = new ArrayList<>();
        if (!Objects.equals(product.name(), plan.name())) {
            changes.add("name \"" + product.name() + "\" → \"" + plan.name() + "\"");
        }
        if (!Objects.equals(emptyToNull(product.description()), plan.description())) {
            changes.add("description");
        }
        if (!product.features().equals(plan.features())) {
            changes.add("features");
        }
        if (!product.active()) {
            changes.add("archived");
        }
        if (product.managed() && !plan.id().equals(product.metadata().get("billing_plan"))) {
            changes.add("metadata");
        }
        if (!changes.isEmpty()) {
            steps.add(new Step.UpdateProduct(plan.id(), product, changes));
        }
        return product.id();
    }

    private void analyzePrice(PlanPrice price, String productId, StripePrice current, Options options, List<Step> steps) {
        if (current == null) {
            steps.add(new Step.CreatePrice(price, null, null));
            return;
        }
        List<String> differences = new ArrayList<>();
        if (!Objects.equals(current.unitAmount(), price.unitAmount())) {
            differences.add("amount " + (current.unitAmount() == null ? "none" : dev.billingcli.catalog.Money.format(current.unitAmount(), current.currency()))
                    + " in Stripe, " + price.display() + " in plans.yaml");
        }
        if (!price.currency().equals(current.currency())) {
            differences.add("currency " + current.currency() + " in Stripe, " + price.currency() + " in plans.yaml");
        }
        if (!Objects.equals(current.interval(), price.cycle().stripeInterval())) {
            differences.add("interval " + Optional.ofNullable(current.interval()).orElse("one-time") + " in Stripe, "
                    + Optional.ofNullable(price.cycle().stripeInterval()).orElse("one-time") + " in plans.yaml");
        }
        differences.addAll(currencyDifferences(price, current));
        boolean setTax = false;
        if (price.taxBehavior() != null && !price.taxBehavior().equals(current.taxBehavior())) {
            if (current.taxBehavior() == null || "unspecified".equals(current.taxBehavior())) {
                setTax = true; // Stripe allows setting it once, in place
            } else {
                differences.add("tax behavior " + current.taxBehavior() + " in Stripe, " + price.taxBehavior() + " in plans.yaml");
            }
        }
        if (!productId.equals(current.productId())) {
            differences.add("on product " + current.productId() + ", not " + productId);
        }
        if (!current.managed()) {
            if (!options.adopt()) {
                steps.add(new Step.Blocked("lookup key " + price.lookupKey() + " is held by unmanaged price " + current.id()
                        + (current.active() ? "" : " (archived)"), "--adopt takes it over"));
                return;
            }
            if (differences.isEmpty()) {
                steps.add(new Step.AdoptPrice(price, current));
                if (!current.active()) {
                    steps.add(new Step.ReactivatePrice(current));
                }
                if (setTax) {
                    steps.add(new Step.SetTaxBehavior(price, current));
                }
                return;
            }
        }
        if (!differences.isEmpty()) {
            steps.add(new Step.CreatePrice(price, current, String.join("; ", differences)));
            if (current.active()) {
                steps.add(new Step.ArchivePrice(current, "replaced by the new " + price.lookupKey() + " price"));
            }
        } else {
            if (!current.active()) {
                steps.add(new Step.ReactivatePrice(current));
            }
            if (setTax) {
                steps.add(new Step.SetTaxBehavior(price, current));
            }
        }
    }

    /**
     * The other currencies, each a difference of its own: missing in Stripe, another amount, or one Stripe has that
     * plans.yaml does not. Any of them makes a new price, as a changed amount does (a price's amounts are what its
     * subscribers pay: changing them in place would change their next invoices unannounced).
     */
    static List<String> currencyDifferences(PlanPrice price, StripePrice current) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Long> o : price.currencyOptions().entrySet()) {
            String c = o.getKey();
            String upper = c.toUpperCase(java.util.Locale.ROOT);
            Long inStripe = current.currencyOptions().get(c);
            if (!current.currencyOptions().containsKey(c)) {
                out.add("no " + upper + " amount in Stripe, " + dev.billingcli.catalog.Money.format(o.getValue(), c) + " in plans.yaml");
            } else if (!Objects.equals(inStripe, o.getValue())) {
                out.add(upper + " amount " + (inStripe == null ? "none" : dev.billingcli.catalog.Money.format(inStripe, c)) + " in Stripe, "
                        + dev.billingcli.catalog.Money.format(o.getValue(), c) + " in plans.yaml");
            }
        }
        for (Map.Entry<String, Long> o : current.currencyOptions().entrySet()) {
            if (!price.currencyOptions().containsKey(o.getKey()) && !o.getKey().equals(price.currency())) {
                String c = o.getKey();
                out.add(c.toUpperCase(java.util.Locale.ROOT) + " amount " + (o.getValue() == null ? "none"
                        : dev.billingcli.catalog.Money.format(o.getValue(), c)) + " in Stripe, not in plans.yaml");
            }
        }
        return out;
    }

    private void analyzePortal(Map<String, StripePrice> byKey, Map<String, String> products, List<Step> steps) {
        Optional<PortalConfiguration> managed = managedPortal();
        if (managed.isEmpty()) {
            steps.add(new Step.CreatePortal());
            return;
        }
        Map<String, String> priceIds = new HashMap<>();
        byKey.forEach((k, p) -> priceIds.put(k, p.id()));
        // a price about to be replaced moves its lookup key: the portal's plan switching must follow it
        for (Step step : steps) {
            if (step instanceof Step.CreatePrice s) {
                priceIds.put(s.price().lookupKey(), "the new " + s.price().lookupKey() + " price");
            }
        }
        List<String> changes = PortalConfig.differences(catalog, managed.get(), products, priceIds);
        if (!changes.isEmpty()) {
            steps.add(new Step.UpdatePortal(managed.get().id(), changes));
        }
    }

    private Optional<PortalConfiguration> managedPortal() {
        return portal.configurations().stream().filter(PortalConfiguration::managed)
                .sorted((a, b) -> Boolean.compare(b.active(), a.active())).findFirst();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    // ------------------------------------------------------------------ apply

    /** Carries out the steps in order (products before their prices); returns what was done. */
    public Result apply(Analysis analysis) {
        List<String> done = new ArrayList<>();
        List<Step> skipped = new ArrayList<>();
        Map<String, String> productIds = new HashMap<>();
        Map<String, String> priceIds = new LinkedHashMap<>(analysis.priceIds());
        for (Plan plan : sold()) {
            productIds.put(plan.id(), productId(plan.id()));
        }
        boolean portalPending = false;
        String portalId = null;
        for (Step step : analysis.steps()) {
            String discount = discounts.apply(step);
            if (discount != null) {
                done.add(discount);
            } else if (step instanceof Step.OldCoupon || step instanceof Step.ExtraPromotionCode) {
                skipped.add(step); // kept without --prune
            } else if (step instanceof Step.CreateProduct s) {
                Plan plan = catalog.plans().get(s.planId());
                stripe.createProduct(s.productId(), plan.name(), plan.description(), plan.features(), productMetadata(plan.id()));
                productIds.put(plan.id(), s.productId());
                done.add("created product " + s.productId());
            } else if (step instanceof Step.AdoptProduct s) {
                stripe.tagProduct(s.current().id(), productMetadata(s.planId()));
                productIds.put(s.planId(), s.current().id());
                done.add("adopted product " + s.current().id());
            } else if (step instanceof Step.UpdateProduct s) {
                Plan plan = catalog.plans().get(s.planId());
                stripe.updateProduct(s.current().id(), plan.name(), plan.description(), plan.features(), productMetadata(plan.id()));
                productIds.put(plan.id(), s.current().id());
                done.add("updated product " + s.current().id() + " (" + String.join(", ", s.changes()) + ")");
            } else if (step instanceof Step.CreatePrice s) {
                PlanPrice p = s.price();
                String productId = productIds.get(p.planId());
                StripePrice created = stripe.createPrice(productId, p.currency(), p.unitAmount(), p.currencyOptions(), p.taxBehavior(),
                        p.cycle().stripeInterval(), p.lookupKey(), s.replaces() != null, priceMetadata(p));
                priceIds.put(p.lookupKey(), created.id());
                done.add("created price " + created.id() + " for " + p.lookupKey() + " (" + p.displayAll() + ")"
                        + (s.replaces() != null ? ", lookup key moved from " + s.replaces().id() : ""));
            } else if (step instanceof Step.SetTaxBehavior s) {
                stripe.setTaxBehavior(s.current().id(), s.price().taxBehavior(), s.price().currencyOptions());
                done.add("set tax behavior " + s.price().taxBehavior() + " on price " + s.current().id() + " (" + s.price().lookupKey() + ")");
            } else if (step instanceof Step.ArchivePrice s) {
                long subscriptions = stripe.subscriptionsOnPrice(s.price().id());
                stripe.setPriceActive(s.price().id(), false);
                done.add("archived price " + s.price().id() + "; " + subscriptions + " subscription"
                        + (subscriptions == 1 ? " stays" : "s stay") + " on it" + (subscriptions == 0 ? "" : movesThem(s.price())));
            } else if (step instanceof Step.ReactivatePrice s) {
                stripe.setPriceActive(s.price().id(), true);
                done.add("reactivated price " + s.price().id() + " (" + s.price().lookupKey() + ")");
            } else if (step instanceof Step.AdoptPrice s) {
                stripe.tagPrice(s.current().id(), priceMetadata(s.price()));
                priceIds.put(s.price().lookupKey(), s.current().id());
                done.add("adopted price " + s.current().id() + " (" + s.price().lookupKey() + ")");
            } else if (step instanceof Step.ExtraPrice s) {
                if (s.prune()) {
                    stripe.setPriceActive(s.price().id(), false);
                    done.add("archived price " + s.price().id() + " (no longer in plans.yaml)");
                } else {
                    skipped.add(s);
                }
            } else if (step instanceof Step.ExtraProduct s) {
                if (s.prune()) {
                    for (StripePrice price : stripe.activePricesOf(s.product().id())) {
                        stripe.setPriceActive(price.id(), false);
                        done.add("archived price " + price.id() + " of extra product " + s.product().id());
                    }
                    stripe.archiveProduct(s.product().id());
                    done.add("archived product " + s.product().id());
                } else {
                    skipped.add(s);
                }
            } else if (step instanceof Step.Blocked s) {
                skipped.add(s);
            } else if (step instanceof Step.CreatePortal) {
                portalPending = true;
            } else if (step instanceof Step.UpdatePortal s) {
                portalPending = true;
                portalId = s.id();
            }
        }
        if (portalPending) {
            Map<String, Object> fields = PortalConfig.fields(catalog, productIds, priceIds);
            if (portalId == null) {
                done.add("created billing portal configuration " + portal.create(fields));
            } else {
                portal.update(portalId, fields);
                done.add("updated billing portal configuration " + portalId);
            }
        }
        return new Result(done, priceIds, skipped);
    }

    /** The price ids plans.yaml's lookup keys point at now (for {@code --write-env}). */
    public static Map<String, String> envLines(Catalog catalog, Map<String, String> priceIds) {
        Map<String, String> lines = new LinkedHashMap<>();
        for (PlanPrice p : catalog.prices()) {
            String id = priceIds.get(p.lookupKey());
            if (id != null) {
                lines.put("STRIPE_PRICE_" + p.lookupKey().toUpperCase(java.util.Locale.ROOT), id);
            }
        }
        return lines;
    }

    /** The command that moves a price's subscribers to the current price of its plan and cycle (the price's own metadata names them). */
    static String movesThem(StripePrice price) {
        String plan = price.metadata().get("billing_plan");
        String cycle = price.metadata().get("billing_cycle");
        if (plan == null || cycle == null) {
            return " until they change plan";
        }
        return ": 'billing prices migrate --plan " + plan + " --cycle " + cycle + " --from " + price.id() + " --dry-run' shows the move";
    }
}
