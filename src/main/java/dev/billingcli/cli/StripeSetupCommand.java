package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.ExitCode;
import dev.billingcli.config.DotEnv;
import dev.billingcli.setup.CatalogSync;
import dev.billingcli.setup.Step;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "stripe:setup",
        description = "Create or update Stripe products, prices, coupons, promotion codes and the billing portal configuration "
                + "from plans.yaml. "
                + "Idempotent: a re-run with nothing to change sends no write. Exit 1 when something was left alone "
                + "because it is not managed by billing (see --adopt).",
        footerHeading = "%nExamples:%n",
        footer = {"  billing stripe:setup --dry-run", "  billing stripe:setup --write-env .env", "  billing stripe:setup --adopt --prune"})
final class StripeSetupCommand implements Callable<Integer> {
    @Mixin
    DryRunOption dryRun;

    @Option(names = "--adopt", description = "Take over matching objects not made by billing (by lookup key, product id or coupon id) and tag them; "
            + "a coupon only when its terms match plans.yaml.")
    boolean adopt;

    @Option(names = "--prune", description = "Archive managed products (and their prices) whose plan is gone from plans.yaml, delete coupon "
            + "versions plans.yaml no longer describes, deactivate managed promotion codes it no longer has.")
    boolean prune;

    @Option(names = "--write-env", paramLabel = "FILE", description = "Write STRIPE_PRICE_<PLAN>_<CYCLE>=price_… lines into FILE, keeping its other lines.")
    Path writeEnv;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        App app = Commands.app(spec);
        Output out = Commands.output(spec);
        var catalog = app.catalog();
        CatalogSync sync = app.catalogSync();
        if (!dryRun.on) {
            sync.checkWritesAllowed();
        }
        CatalogSync.Options options = new CatalogSync.Options(adopt, prune);
        CatalogSync.Analysis analysis = sync.analyze(options, true);
        List<String> done = List.of();
        List<Step> skipped = analysis.steps().stream().filter(s -> !s.writes()).toList();
        Map<String, String> priceIds = analysis.priceIds();
        if (!dryRun.on && analysis.writes() > 0) {
            CatalogSync.Result result = sync.apply(analysis);
            done = result.done();
            skipped = result.skipped();
            priceIds = result.priceIds();
        }
        Path envFile = null;
        if (writeEnv != null && !dryRun.on) {
            envFile = writeEnv.isAbsolute() ? writeEnv : app.workingDir().resolve(writeEnv);
            DotEnv.write(envFile, CatalogSync.envLines(catalog, priceIds));
        }
        boolean blocked = skipped.stream().anyMatch(s -> s instanceof Step.Blocked);
        if (out.json()) {
            out.json(new Json(dryRun.on, sync.stripeKey(),
                    analysis.steps().stream().map(s -> new StepJson(s.kind(), s.action(), s.writes())).toList(), done,
                    skipped.stream().map(Step::action).toList(), priceIds, analysis.portalNote()));
            return blocked ? ExitCode.DIFFERENCE_OR_NOT_FOUND : ExitCode.OK;
        }
        out.line("Stripe (" + sync.stripeKey() + "): " + analysis.products() + " products, " + analysis.prices()
                + " prices" + discounts(analysis) + " in plans.yaml" + (catalog.portal() != null ? ", portal configuration" : "") + ".");
        if (analysis.steps().isEmpty()) {
            out.line(out.green("✓") + " Stripe matches plans.yaml: nothing to do.");
        } else if (dryRun.on) {
            out.line("Plan (dry run, nothing sent):");
            analysis.steps().forEach(s -> out.line("  " + (s.writes() ? "+ " : "- ") + s.action()));
            out.line(analysis.writes() + " write(s) would be sent.");
        } else {
            done.forEach(line -> out.line("  " + out.green("✓") + " " + line));
            skipped.forEach(s -> out.line("  - " + s.action()));
        }
        if (analysis.portalNote() != null) {
            out.line("  - " + analysis.portalNote());
        }
        if (envFile != null) {
            out.line("Wrote " + CatalogSync.envLines(catalog, priceIds).size() + " price id(s) to " + envFile);
        }
        return blocked ? ExitCode.DIFFERENCE_OR_NOT_FOUND : ExitCode.OK;
    }

    /** ", 2 coupons, 1 promotion code" when plans.yaml has any. */
    static String discounts(CatalogSync.Analysis analysis) {
        return (analysis.coupons() == 0 ? "" : ", " + analysis.coupons() + " coupon" + (analysis.coupons() == 1 ? "" : "s"))
                + (analysis.promotionCodes() == 0 ? "" : ", " + analysis.promotionCodes() + " promotion code"
                        + (analysis.promotionCodes() == 1 ? "" : "s"));
    }

    /**
     * {@code -o json stripe:setup}: the plan of steps, what was done and skipped.
     * @param priceIds price id by lookup key (pro_monthly → price_…)
     */
    record Json(boolean dryRun, String key, List<StepJson> plan, List<String> done, List<String> skipped, Map<String, String> priceIds,
            String portalNote) {}

    record StepJson(String kind, String action, boolean writes) {}
}
