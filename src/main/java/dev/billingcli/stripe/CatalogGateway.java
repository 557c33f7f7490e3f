package dev.billingcli.stripe;

import com.stripe.model.Price;
import com.stripe.model.Product;
import com.stripe.model.StripeCollection;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.PriceListParams;
import com.stripe.param.PriceUpdateParams;
import com.stripe.param.ProductCreateParams;
import com.stripe.param.ProductListParams;
import com.stripe.param.ProductSearchParams;
import com.stripe.param.ProductUpdateParams;
import com.stripe.param.SubscriptionListParams;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Every Stripe call the catalog commands make ({@code stripe:setup}, {@code stripe:verify},
 * {@code stripe:webhook}, {@code doctor}), answering in our own records.
 */
public final class CatalogGateway {
    /** Stripe's limit for {@code lookup_keys[]} in one price list. */
    public static final int LOOKUP_KEYS_PER_CALL = 10;
    /** Stripe's largest page, also the limit for {@code ids[]} in one product list. */
    public static final int PAGE = 100;

    private final StripeAccess stripe;

    public CatalogGateway(StripeAccess stripe) {
        this.stripe = stripe;
    }

    public StripeAccess access() {
        return stripe;
    }

    public record StripeProduct(String id, String name, String description, boolean active, Map<String, String> metadata,
            List<String> features) {
        public boolean managed() {
            return "billing".equals(metadata.get("managed_by"));
        }
    }

    /**
     * @param interval {@code month}/{@code year}, or null for a one-time price
     * @param currencyOptions the other currencies' unit amounts (Stripe's {@code currency_options} less the price's own
     *     currency; read only where listed with {@code currency_options} expanded, else empty)
     * @param taxBehavior {@code exclusive}, {@code inclusive} or {@code unspecified}
     */
    public record StripePrice(String id, String productId, StripeProduct product, String currency, Long unitAmount,
            String interval, boolean active, String lookupKey, Map<String, String> metadata, Map<String, Long> currencyOptions,
            String taxBehavior) {
        public boolean managed() {
            return "billing".equals(metadata.get("managed_by"));
        }
    }

    /**
     * Prices holding these lookup keys, active or archived (an archived price keeps its key), with their products and
     * their currencies (Stripe leaves {@code currency_options} out of an answer unless it is expanded).
     */
    public List<StripePrice> pricesByLookupKeys(Collection<String> lookupKeys) {
        List<String> keys = List.copyOf(lookupKeys);
        List<StripePrice> found = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += LOOKUP_KEYS_PER_CALL) {
            List<String> batch = keys.subList(i, Math.min(keys.size(), i + LOOKUP_KEYS_PER_CALL));
            PriceListParams params = PriceListParams.builder().addAllLookupKey(batch).addExpand("data.product").addExpand("data.currency_options")
                    .setLimit((long) PAGE).build();
            StripeCollection<Price> page = stripe.call("list prices by lookup key",
                    () -> stripe.client().v1().prices().list(params));
            page.getData().forEach(p -> found.add(price(p)));
        }
        return found;
    }

    /** Active prices of one product (to archive them with the product). */
    public List<StripePrice> activePricesOf(String productId) {
        return pricesOf(productId, true);
    }

    /** Archived prices of one product ({@code prices migrate} moves subscriptions off them). */
    public List<StripePrice> archivedPricesOf(String productId) {
        return pricesOf(productId, false);
    }

    private List<StripePrice> pricesOf(String productId, boolean active) {
        List<StripePrice> found = new ArrayList<>();
        String after = null;
        do {
            PriceListParams.Builder b = PriceListParams.builder().setProduct(productId).setActive(active).setLimit((long) PAGE);
            if (after != null) {
                b.setStartingAfter(after);
            }
            PriceListParams params = b.build();
            StripeCollection<Price> page = stripe.call("list the prices of " + productId, () -> stripe.client().v1().prices().list(params));
            page.getData().forEach(p -> found.add(price(p)));
            after = Boolean.TRUE.equals(page.getHasMore()) && !page.getData().isEmpty()
                    ? page.getData().get(page.getData().size() - 1).getId() : null;
        } while (after != null);
        return found;
    }

    /** Products with these ids (active or archived), {@value #PAGE} ids per call. */
    public List<StripeProduct> productsByIds(Collection<String> ids) {
        List<String> all = List.copyOf(ids);
        List<StripeProduct> found = new ArrayList<>();
        for (int i = 0; i < all.size(); i += PAGE) {
            List<String> batch = all.subList(i, Math.min(all.size(), i + PAGE));
            ProductListParams params = ProductListParams.builder().addAllId(batch).setLimit((long) PAGE).build();
            StripeCollection<Product> page = stripe.call("list products", () -> stripe.client().v1().products().list(params));
            page.getData().forEach(p -> found.add(product(p)));
        }
        return found;
    }

    /**
     * Products tagged {@code managed_by=billing}, through Stripe's search. Search is eventually consistent
     * (a product created seconds ago may be missing), so this only ever reports extras: nothing is
     * created or skipped on its word.
     */
    public List<StripeProduct> managedProducts() {
        List<StripeProduct> found = new ArrayList<>();
        String page = null;
        do {
            ProductSearchParams.Builder b = ProductSearchParams.builder().setQuery("metadata['managed_by']:'billing'").setLimit((long) PAGE);
            if (page != null) {
                b.setPage(page);
            }
            ProductSearchParams params = b.build();
            var result = stripe.call("search products", () -> stripe.client().v1().products().search(params));
            result.getData().forEach(p -> found.add(product(p)));
            page = Boolean.TRUE.equals(result.getHasMore()) ? result.getNextPage() : null;
        } while (page != null);
        return found;
    }

    /**
     * Active prices tagged {@code managed_by=billing}, by search (eventually consistent: used only to
     * report prices whose cycle left plans.yaml, never to decide what to create).
     */
    public List<StripePrice> managedActivePrices() {
        List<StripePrice> found = new ArrayList<>();
        String page = null;
        do {
            com.stripe.param.PriceSearchParams.Builder b = com.stripe.param.PriceSearchParams.builder()
                    .setQuery("metadata['managed_by']:'billing' AND active:'true'").setLimit((long) PAGE);
            if (page != null) {
                b.setPage(page);
            }
            com.stripe.param.PriceSearchParams params = b.build();
            var result = stripe.call("search prices", () -> stripe.client().v1().prices().search(params));
            result.getData().forEach(p -> found.add(price(p)));
            page = Boolean.TRUE.equals(result.getHasMore()) ? result.getNextPage() : null;
        } while (page != null);
        return found;
    }

    public StripeProduct createProduct(String id, String name, String description, List<String> features, Map<String, String> metadata) {
        ProductCreateParams.Builder b = ProductCreateParams.builder().setId(id).setName(name).putAllMetadata(metadata);
        if (description != null) {
            b.setDescription(description);
        }
        features.forEach(f -> b.addMarketingFeature(ProductCreateParams.MarketingFeature.builder().setName(f).build()));
        ProductCreateParams params = b.build();
        return product(stripe.call("create product " + id, () -> stripe.client().v1().products().create(params, stripe.write())));
    }

    /** Sets name, description, features and metadata as given, and makes the product active. */
    public StripeProduct updateProduct(String id, String name, String description, List<String> features, Map<String, String> metadata) {
        ProductUpdateParams.Builder b = ProductUpdateParams.builder().setName(name).setActive(true).putAllMetadata(metadata);
        if (description != null) {
            b.setDescription(description);
        } else {
            b.setDescription(com.stripe.param.common.EmptyParam.EMPTY);
        }
        if (features.isEmpty()) {
            b.setMarketingFeatures(com.stripe.param.common.EmptyParam.EMPTY);
        } else {
            features.forEach(f -> b.addMarketingFeature(ProductUpdateParams.MarketingFeature.builder().setName(f).build()));
        }
        ProductUpdateParams params = b.build();
        return product(stripe.call("update product " + id, () -> stripe.client().v1().products().update(id, params, stripe.write())));
    }

    public void archiveProduct(String id) {
        ProductUpdateParams params = ProductUpdateParams.builder().setActive(false).build();
        stripe.call("archive product " + id, () -> stripe.client().v1().products().update(id, params, stripe.write()));
    }

    /** Adds metadata to a product without changing anything else (for {@code --adopt}). */
    public void tagProduct(String id, Map<String, String> metadata) {
        ProductUpdateParams params = ProductUpdateParams.builder().putAllMetadata(metadata).build();
        stripe.call("tag product " + id, () -> stripe.client().v1().products().update(id, params, stripe.write()));
    }

    /**
     * Creates a price; with {@code transferLookupKey} the lookup key moves from whichever price holds it.
     *
     * @param interval {@code month}/{@code year}, or null for one-time
     */
    public StripePrice createPrice(String productId, String currency, long unitAmount, String interval, String lookupKey,
            boolean transferLookupKey, Map<String, String> metadata) {
        return createPrice(productId, currency, unitAmount, Map.of(), null, interval, lookupKey, transferLookupKey, metadata);
    }

    /**
     * Creates a price in several currencies: {@code currency} and {@code unit_amount}, and one
     * {@code currency_options[<c>][unit_amount]} per other currency (one price, so one lookup key for all).
     *
     * @param currencyOptions the other currencies → unit amount
     * @param taxBehavior {@code exclusive}/{@code inclusive} for the price and each of its currencies, or null to send none
     */
    public StripePrice createPrice(String productId, String currency, long unitAmount, Map<String, Long> currencyOptions,
            String taxBehavior, String interval, String lookupKey, boolean transferLookupKey, Map<String, String> metadata) {
        PriceCreateParams.Builder b = PriceCreateParams.builder().setProduct(productId).setCurrency(currency)
                .setUnitAmount(unitAmount).setLookupKey(lookupKey).putAllMetadata(metadata);
        if (taxBehavior != null) {
            b.setTaxBehavior(PriceCreateParams.TaxBehavior.valueOf(taxBehavior.toUpperCase(java.util.Locale.ROOT)));
        }
        currencyOptions.forEach((c, amount) -> {
            PriceCreateParams.CurrencyOption.Builder o = PriceCreateParams.CurrencyOption.builder().setUnitAmount(amount);
            if (taxBehavior != null) {
                o.setTaxBehavior(PriceCreateParams.CurrencyOption.TaxBehavior.valueOf(taxBehavior.toUpperCase(java.util.Locale.ROOT)));
            }
            b.putCurrencyOption(c, o.build());
        });
        if (interval != null) {
            b.setRecurring(PriceCreateParams.Recurring.builder()
                    .setInterval(PriceCreateParams.Recurring.Interval.valueOf(interval.toUpperCase(java.util.Locale.ROOT))).build());
        }
        if (transferLookupKey) {
            b.setTransferLookupKey(true);
        }
        PriceCreateParams params = b.build();
        return price(stripe.call("create price " + lookupKey, () -> stripe.client().v1().prices().create(params, stripe.write())));
    }

    public void setPriceActive(String id, boolean active) {
        PriceUpdateParams params = PriceUpdateParams.builder().setActive(active).build();
        stripe.call((active ? "reactivate" : "archive") + " price " + id,
                () -> stripe.client().v1().prices().update(id, params, stripe.write()));
    }

    /**
     * Sets the tax behaviour of a price whose behaviour is still {@code unspecified}: Stripe allows that once ("Once
     * specified as either inclusive or exclusive, it cannot be changed"). Each other currency gets it too, its amount
     * restated unchanged (so the call means the same whether Stripe merges or replaces the options).
     */
    public void setTaxBehavior(String id, String taxBehavior, Map<String, Long> currencyOptions) {
        String upper = taxBehavior.toUpperCase(java.util.Locale.ROOT);
        PriceUpdateParams.Builder b = PriceUpdateParams.builder().setTaxBehavior(PriceUpdateParams.TaxBehavior.valueOf(upper));
        currencyOptions.forEach((c, amount) -> b.putCurrencyOption(c, PriceUpdateParams.CurrencyOption.builder().setUnitAmount(amount)
                .setTaxBehavior(PriceUpdateParams.CurrencyOption.TaxBehavior.valueOf(upper)).build()));
        PriceUpdateParams params = b.build();
        stripe.call("set the tax behavior of price " + id, () -> stripe.client().v1().prices().update(id, params, stripe.write()));
    }

    public void tagPrice(String id, Map<String, String> metadata) {
        PriceUpdateParams params = PriceUpdateParams.builder().putAllMetadata(metadata).build();
        stripe.call("tag price " + id, () -> stripe.client().v1().prices().update(id, params, stripe.write()));
    }

    /** How many subscriptions (any status but canceled) still use a price, counted page by page. */
    public long subscriptionsOnPrice(String priceId) {
        long count = 0;
        String after = null;
        do {
            SubscriptionListParams.Builder b = SubscriptionListParams.builder().setPrice(priceId).setLimit((long) PAGE);
            if (after != null) {
                b.setStartingAfter(after);
            }
            SubscriptionListParams params = b.build();
            var page = stripe.call("count subscriptions on " + priceId, () -> stripe.client().v1().subscriptions().list(params));
            count += page.getData().size();
            after = Boolean.TRUE.equals(page.getHasMore()) && !page.getData().isEmpty()
                    ? page.getData().get(page.getData().size() - 1).getId() : null;
        } while (after != null);
        return count;
    }

    // ---- mapping to our records ----

    static StripeProduct product(Product p) {
        List<String> features = p.getMarketingFeatures() == null ? List.of()
                : p.getMarketingFeatures().stream().map(Product.MarketingFeature::getName).toList();
        return new StripeProduct(p.getId(), p.getName(), p.getDescription(), Boolean.TRUE.equals(p.getActive()),
                p.getMetadata() == null ? Map.of() : Map.copyOf(p.getMetadata()), features);
    }

    static StripePrice price(Price p) {
        Product expanded = p.getProductObject();
        Map<String, Long> options = new java.util.TreeMap<>();
        if (p.getCurrencyOptions() != null) {
            p.getCurrencyOptions().forEach((c, o) -> {
                if (!c.equals(p.getCurrency())) {
                    options.put(c, o.getUnitAmount());
                }
            });
        }
        return new StripePrice(p.getId(), p.getProduct(), expanded == null ? null : product(expanded), p.getCurrency(),
                p.getUnitAmount(), p.getRecurring() == null ? null : p.getRecurring().getInterval(),
                Boolean.TRUE.equals(p.getActive()), p.getLookupKey(), p.getMetadata() == null ? Map.of() : Map.copyOf(p.getMetadata()),
                java.util.Collections.unmodifiableMap(options), p.getTaxBehavior());
    }

    /**
     * Stripe Tax's readiness ({@code GET /v1/tax/settings}): a fresh account is {@code pending} until its head office
     * is set in the Dashboard or through the API, and until then Stripe refuses {@code automatic_tax[enabled]=true}.
     *
     * @param missing what Stripe says is missing while pending (e.g. {@code head_office}); empty when active
     * @param headOfficeCountry null when none is set
     */
    public record TaxSettings(boolean active, List<String> missing, String headOfficeCountry) {}

    public TaxSettings taxSettings() {
        com.stripe.model.tax.Settings s = stripe.call("read Stripe Tax settings", () -> stripe.client().v1().tax().settings().retrieve());
        List<String> missing = s.getStatusDetails() == null || s.getStatusDetails().getPending() == null
                || s.getStatusDetails().getPending().getMissingFields() == null ? List.of()
                : List.copyOf(s.getStatusDetails().getPending().getMissingFields());
        String country = s.getHeadOffice() == null || s.getHeadOffice().getAddress() == null ? null
                : s.getHeadOffice().getAddress().getCountry();
        return new TaxSettings("active".equals(s.getStatus()), missing, country);
    }
}
