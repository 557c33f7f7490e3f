package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.ExitCode;
import dev.billingcli.setup.CatalogSync;
import dev.billingcli.setup.Step;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "stripe:verify",
        description = "Compare plans.yaml with Stripe, read-only, and list every difference. Exit 0 in sync, 1 drift, "
                + "2 invalid plans.yaml, 3 Stripe unreachable or key refused. Works with a restricted key that can read "
                + "products and prices.",
        footerHeading = "%nExamples:%n",
        footer = {"  billing stripe:verify", "  billing -o json stripe:verify > drift.json   # in CI"})
final class StripeVerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        App app = Commands.app(spec);
        Output out = Commands.output(spec);
        var catalog = app.catalog();
        CatalogSync.Analysis analysis = app.catalogSync().analyze(CatalogSync.Options.NONE, true);
        // a step that only follows from another (archiving a replaced price) has no line of its own
        List<Step> differences = analysis.steps().stream().filter(s -> s.drift() != null).toList();
        int code = analysis.inSync() ? ExitCode.OK : ExitCode.DIFFERENCE_OR_NOT_FOUND;
        if (out.json()) {
            out.json(new Json(analysis.inSync(), analysis.products(), analysis.prices(),
                    differences.stream().map(s -> new Drift(s.kind(), s.drift())).toList(), analysis.portalNote()));
            return code;
        }
        if (analysis.inSync()) {
            out.line(out.green("✓") + " Stripe matches plans.yaml (" + analysis.products() + " products, " + analysis.prices()
                    + " prices" + StripeSetupCommand.discounts(analysis) + (catalog.portal() != null && analysis.portalNote() == null ? ", portal configuration" : "") + ").");
        } else {
            differences.forEach(s -> out.line(out.red("✗") + " " + s.drift()));
            out.line(differences.size() + " difference(s); 'billing stripe:setup' reconciles them.");
        }
        if (analysis.portalNote() != null) {
            out.line("- " + analysis.portalNote());
        }
        return code;
    }

    /** {@code -o json stripe:verify}: a CI job reads {@code inSync} and the differences. */
    record Json(boolean inSync, int products, int prices, List<Drift> differences, String portalNote) {}

    record Drift(String kind, String message) {}
}
