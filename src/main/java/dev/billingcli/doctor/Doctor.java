package dev.billingcli.doctor;

import dev.billingcli.App;
import dev.billingcli.BillingException;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.doctor.DoctorReport.Check;
import dev.billingcli.setup.CatalogSync;
import dev.billingcli.setup.Step;
import dev.billingcli.store.Database;
import dev.billingcli.stripe.CatalogGateway;
import dev.billingcli.stripe.StripeAccess;
import dev.billingcli.stripe.PortalGateway;
import dev.billingcli.stripe.StripeVersions;
import dev.billingcli.stripe.WebhookEndpoints;
import dev.billingcli.support.SupportService;
import dev.billingcli.webhook.Handlers;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code billing doctor}: the production checklist. Each check runs on its own, so one that fails (no key,
 * an invalid plans.yaml, no database) still lets the others report; checks that need Stripe and the
 * catalog run only when both are there.
 */
public final class Doctor {
    private final Supplier<StripeAccess> stripe;
    private final boolean stripeKeySet;
    private final Supplier<Catalog> catalog;
    private final Supplier<Database> database;
    private final boolean webhookSecretSet;

    /**
     * @param stripe opens the Stripe client; throws {@link BillingException} without a usable key
     * @param catalog loads plans.yaml; throws {@link BillingException} when it is invalid
     * @param database opens (and migrates) the database; throws {@link BillingException} when unreachable
     */
    public Doctor(Supplier<StripeAccess> stripe, boolean stripeKeySet, Supplier<Catalog> catalog, Supplier<Database> database,
            boolean webhookSecretSet) {
        this.stripe = stripe;
        this.stripeKeySet = stripeKeySet;
        this.catalog = catalog;
        this.database = database;
        this.webhookSecretSet = webhookSecretSet;
    }

    /** The checklist of one run: its Stripe key, plans.yaml, database and webhook secret. */
    public static Doctor of(App app) {
        return new Doctor(app::stripe, app.settings().stripeKey() != null, app::catalog, app::database,
                app.settings().env("STRIPE_WEBHOOK_SECRET") != null);
    }

    public DoctorReport run() {
        List<Check> checks = new ArrayList<>();
        StripeAccess access = null;
        try {
            access = stripe.get();
            checks.add(Check.pass("Stripe key", access.describeKey()));
        } catch (BillingException e) {
            // the message of a missing key is itself the hint: say "not set" and give the hint once
            checks.add(Check.of("Stripe key", false, stripeKeySet ? e.getMessage() : "not set",
                    "set STRIPE_SECRET_KEY (environment or .env) or pass --stripe-key"));
        }
        Catalog plans = null;
        try {
            plans = catalog.get();
            checks.add(Check.pass("plans.yaml", plans.plans().size() + " plans, " + plans.prices().size() + " prices"));
        } catch (BillingException e) {
            checks.add(Check.of("plans.yaml", false, e.getMessage().lines().findFirst().orElse(""), "billing plans validate"));
        }
        if (access != null && plans != null) {
            checks.addAll(catalogChecks(access, plans));
            checks.add(webhookEndpoint(access));
        }
        checks.add(database());
        checks.add(Check.of("STRIPE_WEBHOOK_SECRET", webhookSecretSet, webhookSecretSet ? "set" : "not set",
                "billing stripe:webhook --url … --write-env .env"));
        return new DoctorReport(checks);
    }

    /** Prices and the billing portal, compared with plans.yaml the way stripe:verify does. */
    private static List<Check> catalogChecks(StripeAccess access, Catalog plans) {
        try {
            CatalogSync.Analysis a = new CatalogSync(plans, new CatalogGateway(access)).analyze(CatalogSync.Options.NONE, true);
            List<Step> priceSteps = a.steps().stream().filter(s -> s.drift() != null).filter(s -> !portal(s)).toList();
            Check prices = Check.of("prices in Stripe", priceSteps.isEmpty(),
                    priceSteps.isEmpty() ? a.prices() + " prices present and active"
                            : priceSteps.get(0).drift() + (priceSteps.size() > 1 ? " (+" + (priceSteps.size() - 1) + " more)" : ""),
                    "billing stripe:setup");
            List<Step> portalSteps = a.steps().stream().filter(Doctor::portal).toList();
            // what 'billing portal' will really use: the managed configuration, or the Dashboard's default
            var use = SupportService.portalUse(plans, new PortalGateway(access).configurations());
            boolean inSync = plans.portal() == null || (portalSteps.isEmpty() && a.portalNote() == null);
            String detail = use.problem() != null ? use.problem()
                    : !inSync ? (a.portalNote() != null ? a.portalNote() : portalSteps.get(0).drift()) : "sessions use " + use.detail();
            List<Check> checks = new ArrayList<>(List.of(prices,
                    Check.of("billing portal", use.problem() == null && inSync, detail, "billing stripe:setup")));
            if (plans.checkout().automaticTax()) {
                checks.add(tax(new CatalogGateway(access).taxSettings()));
            }
            return checks;
        } catch (BillingException e) {
            return List.of(Check.of("prices in Stripe", false, e.getMessage(), "check the key and network"));
        }
    }

    /** plans.yaml asks for automatic tax at checkout: Stripe refuses it until Stripe Tax is set up (a fresh account is not). */
    static Check tax(CatalogGateway.TaxSettings tax) {
        String detail = tax.active() ? "active" + (tax.headOfficeCountry() == null ? "" : " (head office " + tax.headOfficeCountry() + ")")
                : "not active" + (tax.missing().isEmpty() ? "" : " (missing: " + String.join(", ", tax.missing()) + ")")
                        + "; plans.yaml checkout.automatic_tax asks for it and Stripe refuses such checkouts until it is set up";
        return Check.of("Stripe Tax", tax.active(), detail, "set up Stripe Tax: https://dashboard.stripe.com/settings/tax");
    }

    private static boolean portal(Step s) {
        return s instanceof Step.CreatePortal || s instanceof Step.UpdatePortal;
    }

    private static Check webhookEndpoint(StripeAccess access) {
        try {
            var endpoint = new WebhookEndpoints(access).findSuitable(Handlers.TYPES);
            String detail = endpoint.isPresent() ? endpoint.get().id() + " → " + endpoint.get().url()
                    : "no enabled endpoint receives every handled event at API " + StripeVersions.API;
            return Check.of("webhook endpoint", endpoint.isPresent(), detail, "billing stripe:webhook --url https://…/webhook");
        } catch (BillingException e) {
            return Check.of("webhook endpoint", false, e.getMessage(), "a key that may read webhook endpoints");
        }
    }

    private Check database() {
        try {
            Schema.Status status = new Schema(database.get()).status();
            long pending = status.pending();
            return Check.of("database", pending == 0, status.database() + (pending == 0 ? ", migrated" : ", " + pending + " pending"),
                    "billing db migrate");
        } catch (BillingException e) {
            return Check.of("database", false, e.getMessage(), "check DATABASE_URL");
        }
    }
}
