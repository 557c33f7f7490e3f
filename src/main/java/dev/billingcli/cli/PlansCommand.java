package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.ExitCode;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.CatalogLoader;
import dev.billingcli.catalog.Cycle;
import dev.billingcli.catalog.Plan;
import dev.billingcli.catalog.PlanPrice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "plans", description = "The catalog in plans.yaml (no network, no database).",
        subcommands = {PlansCommand.ListPlans.class, PlansCommand.Validate.class},
        footerHeading = "%nExamples:%n", footer = {"  billing plans list", "  billing --plans other.yaml plans validate"})
final class PlansCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", description = "Show every plan: prices, trial, credits, limits.",
            footerHeading = "%nExamples:%n", footer = {"  billing plans list", "  billing -o json plans list | jq '.plans[].id'"})
    static final class ListPlans implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            Catalog catalog = Commands.app(spec).catalog();
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(toJson(catalog));
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (Plan p : catalog.plans().values()) {
                rows.add(Output.row(p.id(), p.name(), amount(p, Cycle.MONTHLY), amount(p, Cycle.YEARLY), amount(p, Cycle.ONCE),
                        p.trialDays() > 0 ? p.trialDays() + "d" : "", p.credits() > 0 ? p.credits() : "",
                        p.contact() != null ? "contact " + p.contact() : limits(p)));
            }
            out.table(List.of("ID", "NAME", "MONTHLY", "YEARLY", "ONCE", "TRIAL", "CREDITS", "LIMITS"), rows);
            out.line("");
            out.line("Amounts in " + String.join(" / ", catalog.allCurrencies().stream().map(c -> c.toUpperCase(java.util.Locale.ROOT)).toList())
                    + (catalog.taxBehavior() != null ? ", tax " + catalog.taxBehavior() : "") + "; past_due keeps access "
                    + catalog.gracePeriodDays() + " day(s) after the period end.");
        }

        private static String amount(Plan p, Cycle c) {
            PlanPrice price = p.price(c);
            if (price == null) {
                return "";
            }
            List<String> amounts = new ArrayList<>();
            price.currencies().forEach(cur -> amounts.add(dev.billingcli.catalog.Money.format(price.amountIn(cur).orElseThrow(), cur)));
            return String.join(" / ", amounts);
        }

        private static String limits(Plan p) {
            return p.limits().entrySet().stream()
                    .map(e -> e.getKey() + "=" + (e.getValue() == Plan.UNLIMITED ? "unlimited" : e.getValue()))
                    .collect(Collectors.joining(" "));
        }

        /** {@code -o json plans list}. */
        /** @param currencies the other currencies every price also has; @param taxBehavior null when plans.yaml leaves it to Stripe */
        record Json(String currency, List<String> currencies, String taxBehavior, int gracePeriodDays, List<PlanJson> plans) {}

        /** @param prices by cycle (monthly, yearly, once); @param limits by name, as in plans.yaml */
        record PlanJson(String id, String name, String description, Map<String, PriceJson> prices, int trialDays, long credits,
                Map<String, Object> limits, List<String> features, String contact) {}

        /** @param currencyOptions the amount in each other currency ({@code "10.90"}), by currency */
        record PriceJson(String amount, long unitAmount, String lookupKey, Map<String, String> currencyOptions) {}

        static Json toJson(Catalog catalog) {
            List<PlanJson> plans = new ArrayList<>();
            for (Plan p : catalog.plans().values()) {
                Map<String, PriceJson> prices = new LinkedHashMap<>();
                p.prices().forEach((cycle, price) -> {
                    Map<String, String> options = new LinkedHashMap<>();
                    price.currencyOptions().forEach((c, minor) -> options.put(c, dev.billingcli.catalog.Money.format(minor, c)));
                    prices.put(cycle.key(), new PriceJson(price.display(), price.unitAmount(), price.lookupKey(), options));
                });
                Map<String, Object> limits = new LinkedHashMap<>();
                p.limits().forEach((k, v) -> limits.put(k, v == Plan.UNLIMITED ? "unlimited" : v));
                plans.add(new PlanJson(p.id(), p.name(), p.description(), prices, p.trialDays(), p.credits(), limits, p.features(), p.contact()));
            }
            return new Json(catalog.currency(), catalog.currencies(), catalog.taxBehavior(), catalog.gracePeriodDays(), plans);
        }
    }

    @Command(name = "validate", description = "Check plans.yaml; exit 0 when valid, 2 with one line per problem.",
            footerHeading = "%nExamples:%n", footer = {"  billing plans validate", "  BILLING_PLANS=staging.yaml billing plans validate"})
    static final class Validate implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            App app = Commands.app(spec);
            Output out = Commands.output(spec);
            try {
                Catalog catalog = app.catalog();
                if (out.json()) {
                    out.json(new Json(app.plansDisplayName(), true, catalog.plans().size(), catalog.prices().size(), List.of()));
                } else {
                    out.line(app.plansDisplayName() + " is valid: " + catalog.plans().size() + " plans, "
                            + catalog.prices().size() + " Stripe prices in " + catalog.currency().toUpperCase(java.util.Locale.ROOT));
                }
                return ExitCode.OK;
            } catch (CatalogLoader.InvalidCatalogException e) {
                if (out.json()) {
                    out.json(new Json(app.plansDisplayName(), false, null, null, e.problems()));
                }
                throw e;
            }
        }

        /** {@code -o json plans validate}; plans and prices are null when the file is invalid. */
        record Json(String file, boolean valid, Integer plans, Integer prices, List<String> errors) {}
    }
}
