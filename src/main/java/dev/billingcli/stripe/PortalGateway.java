package dev.billingcli.stripe;

import com.stripe.model.billingportal.Configuration;
import com.stripe.param.billingportal.ConfigurationCreateParams;
import com.stripe.param.billingportal.ConfigurationListParams;
import com.stripe.param.billingportal.ConfigurationUpdateParams;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Billing portal configurations: the one {@code stripe:setup} manages, and the Dashboard's default. */
public final class PortalGateway {
    /**
     * A portal configuration as Stripe holds it, in our own terms.
     *
     * @param features false when Stripe's answer had no features at all
     * @param paymentMethodUpdate null when absent, likewise {@code invoiceHistory}
     * @param updateProducts product id → its switchable price ids; null when Stripe did not return them
     *     (newer API versions return products only when asked for)
     */
    public record PortalConfiguration(String id, boolean active, boolean isDefault, Map<String, String> metadata, String headline,
            String defaultReturnUrl, boolean features, Boolean paymentMethodUpdate, Boolean invoiceHistory, boolean cancelEnabled,
            String cancelMode, List<String> cancelReasons, boolean updateEnabled, String prorationBehavior,
            Map<String, Set<String>> updateProducts) {
        public boolean managed() {
            return "billing".equals(metadata.get("managed_by"));
        }
    }

    private final StripeAccess stripe;

    public PortalGateway(StripeAccess stripe) {
        this.stripe = stripe;
    }

    public StripeAccess access() {
        return stripe;
    }

    /** The account's portal configurations (one read of up to {@value CatalogGateway#PAGE}). */
    public List<PortalConfiguration> configurations() {
        ConfigurationListParams params = ConfigurationListParams.builder().setLimit((long) CatalogGateway.PAGE).build();
        return stripe.call("list billing portal configurations",
                () -> stripe.client().v1().billingPortal().configurations().list(params)).getData().stream().map(PortalGateway::of).toList();
    }

    /** @param fields the configuration as Stripe's form fields (the same shape serves create and update); returns its id */
    public String create(Map<String, Object> fields) {
        ConfigurationCreateParams params = ConfigurationCreateParams.builder().putAllExtraParam(fields).build();
        return stripe.call("create the billing portal configuration",
                () -> stripe.client().v1().billingPortal().configurations().create(params, stripe.write())).getId();
    }

    public void update(String id, Map<String, Object> fields) {
        ConfigurationUpdateParams params = ConfigurationUpdateParams.builder().putAllExtraParam(fields).build();
        stripe.call("update billing portal configuration " + id,
                () -> stripe.client().v1().billingPortal().configurations().update(id, params, stripe.write()));
    }

    private static PortalConfiguration of(Configuration c) {
        Configuration.Features f = c.getFeatures();
        var cancel = f == null ? null : f.getSubscriptionCancel();
        var update = f == null ? null : f.getSubscriptionUpdate();
        Map<String, Set<String>> products = null;
        if (update != null && update.getProducts() != null) {
            products = new LinkedHashMap<>();
            for (var p : update.getProducts()) {
                products.put(p.getProduct(), new HashSet<>(p.getPrices()));
            }
        }
        return new PortalConfiguration(c.getId(), Boolean.TRUE.equals(c.getActive()), Boolean.TRUE.equals(c.getIsDefault()),
                c.getMetadata() == null ? Map.of() : Map.copyOf(c.getMetadata()),
                c.getBusinessProfile() == null ? null : c.getBusinessProfile().getHeadline(), c.getDefaultReturnUrl(), f != null,
                f == null || f.getPaymentMethodUpdate() == null ? null : f.getPaymentMethodUpdate().getEnabled(),
                f == null || f.getInvoiceHistory() == null ? null : f.getInvoiceHistory().getEnabled(),
                cancel != null && Boolean.TRUE.equals(cancel.getEnabled()), cancel == null ? null : cancel.getMode(),
                cancel == null || cancel.getCancellationReason() == null || cancel.getCancellationReason().getOptions() == null
                        ? List.of() : List.copyOf(cancel.getCancellationReason().getOptions()),
                update != null && Boolean.TRUE.equals(update.getEnabled()), update == null ? null : update.getProrationBehavior(), products);
    }
}
