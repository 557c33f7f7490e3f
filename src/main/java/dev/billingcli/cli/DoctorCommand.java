package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.BillingException;
import dev.billingcli.ExitCode;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.setup.CatalogSync;
import dev.billingcli.setup.Step;
import dev.billingcli.store.Database;
import dev.billingcli.stripe.CatalogGateway;
import dev.billingcli.stripe.StripeAccess;
import dev.billingcli.stripe.WebhookEndpoints;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "doctor", description = "The production checklist: one line per check with a fix hint. Exit 0 all good, 1 otherwise.",
        footerHeading = "%nExamples:%n", footer = {"  billing doctor", "  billing -o json doctor"})
final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    record Check(String name, boolean ok, String detail, String hint) {}

    @Override
    public Integer call() {
        App app = Commands.app(spec);
        Output out = Commands.output(spec);
        List<Check> checks = new ArrayList<>();
        StripeAccess stripe = null;
        try {
            stripe = app.stripe();
            checks.add(new Check("Stripe key", true, stripe.describeKey(), null));
        } catch (BillingException e) {
            // the message of a missing key is itself the hint: say "not set" and give the hint once
            boolean missing = app.settings().stripeKey() == null;
            checks.add(new Check("Stripe key", false, missing ? "not set" : e.getMessage(),
                    "set STRIPE_SECRET_KEY (environment or .env) or pass --stripe-key"));
        }
        Catalog catalog = null;
        try {
            catalog = app.catalog();
            checks.add(new Check("plans.yaml", true, catalog.plans().size() + " plans, " + catalog.prices().size() + " prices", null));
        } catch (BillingException e) {
            checks.add(new Check("plans.yaml", false, e.getMessage().lines().findFirst().orElse(""), "billing plans validate"));
        }
        if (stripe != null && catalog != null) {
            try {
                CatalogSync.Analysis a = new CatalogSync(catalog, new CatalogGateway(stripe)).analyze(CatalogSync.Options.NONE, true);
                List<Step> priceSteps = a.steps().stream().filter(s -> s.drift() != null)
                        .filter(s -> !(s instanceof Step.CreatePortal || s instanceof Step.UpdatePortal)).toList();
                checks.add(new Check("prices in Stripe", priceSteps.isEmpty(),
                        priceSteps.isEmpty() ? a.prices() + " prices present and active" : priceSteps.get(0).drift()
                                + (priceSteps.size() > 1 ? " (+" + (priceSteps.size() - 1) + " more)" : ""),
                        "billing stripe:setup"));
                List<Step> portal = a.steps().stream().filter(s -> s instanceof Step.CreatePortal || s instanceof Step.UpdatePortal).toList();
                // what 'billing portal' will really use: the managed configuration, or the Dashboard's default
                var use = dev.billingcli.support.SupportService.portalUse(catalog,
                        new dev.billingcli.stripe.PortalGateway(stripe).configurations());
                boolean inSync = catalog.portal() == null || (portal.isEmpty() && a.portalNote() == null);
                String detail = use.problem() != null ? use.problem()
                        : !inSync ? (a.portalNote() != null ? a.portalNote() : portal.get(0).drift()) : "sessions use " + use.detail();
                checks.add(new Check("billing portal", use.problem() == null && inSync, detail, "billing stripe:setup"));
            } catch (BillingException e) {
                checks.add(new Check("prices in Stripe", false, e.getMessage(), "check the key and network"));
            }
            try {
                var endpoint = new WebhookEndpoints(stripe).findSuitable(StripeWebhookCommand.HANDLED_EVENTS);
                // no lambda over Stripe's types here: picocli reflects over this class's methods when every
                // command is registered (--help, completion), and that would load Stripe's model classes
                String detail = "no enabled endpoint receives every handled event at API " + dev.billingcli.stripe.StripeVersions.API;
                if (endpoint.isPresent()) {
                    detail = endpoint.get().id() + " → " + endpoint.get().url();
                }
                checks.add(new Check("webhook endpoint", endpoint.isPresent(), detail, "billing stripe:webhook --url https://…/webhook"));
            } catch (BillingException e) {
                checks.add(new Check("webhook endpoint", false, e.getMessage(), "a key that may read webhook endpoints"));
            }
        }
        try {
            Database db = app.database();
            long pending = db.migrations().stream().filter(m -> m.state().equals("pending")).count();
            checks.add(new Check("database", pending == 0, db.description() + (pending == 0 ? ", migrated" : ", " + pending + " pending"),
                    "billing db migrate"));
        } catch (BillingException e) {
            checks.add(new Check("database", false, e.getMessage(), "check DATABASE_URL"));
        }
        boolean secret = app.settings().env("STRIPE_WEBHOOK_SECRET") != null;
        checks.add(new Check("STRIPE_WEBHOOK_SECRET", secret, secret ? "set" : "not set", "billing stripe:webhook --url … --write-env .env"));

        boolean allOk = checks.stream().allMatch(Check::ok);
        if (out.json()) {
            List<Object> rows = new ArrayList<>();
            for (Check c : checks) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("check", c.name());
                r.put("ok", c.ok());
                r.put("detail", c.detail());
                r.put("hint", c.ok() ? null : c.hint());
                rows.add(r);
            }
            out.json(Map.of("ok", allOk, "checks", rows));
        } else {
            for (Check c : checks) {
                out.line((c.ok() ? out.green("✓") : out.red("✗")) + " " + c.name() + ": " + c.detail()
                        + (c.ok() ? "" : "  → " + c.hint()));
            }
        }
        return allOk ? ExitCode.OK : ExitCode.DIFFERENCE_OR_NOT_FOUND;
    }
}
