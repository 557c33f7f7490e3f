package dev.billingcli.cli;

import dev.billingcli.ExitCode;
import dev.billingcli.support.SupportService.DiscountChange;
import dev.billingcli.support.SupportService.DiscountPreview;
import dev.billingcli.support.SupportService.Request;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "discount", description = "A subscription's discount: apply a coupon or a promotion code, or remove it.",
        subcommands = {DiscountCommand.Apply.class, DiscountCommand.Remove.class},
        footerHeading = "%nExamples:%n",
        footer = {"  billing discount apply --account acme --coupon launch20 --reason \"launch offer\"",
                "  billing discount apply --account acme --promotion-code SPRING --dry-run",
                "  billing discount remove --account acme --reason \"offer ended\""})
final class DiscountCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "apply", description = "Apply a coupon or a promotion code to the running subscription (Stripe's discounts[], "
            + "replacing any discount it has), with Stripe's preview of the next invoice. Audited; --dry-run shows the preview and "
            + "the request and sends nothing. Exit 1 when there is no running subscription, 2 for an unknown coupon or code or bad "
            + "input, 4 for a live key without --live.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing discount apply --account acme --coupon launch20 --reason \"launch offer\"",
                    "  billing discount apply --account acme --promotion-code SPRING --dry-run"})
    static final class Apply implements Callable<Integer> {
        @Mixin
        AccountOption account;

        @Option(names = "--coupon", paramLabel = "ID", description = "A coupon: its plans.yaml key (the current version stripe:setup made for it, e.g. launch20_v2, is used) or a coupon id in Stripe.")
        String coupon;

        @Option(names = "--promotion-code", paramLabel = "CODE", description = "A promotion code as customers type it (looked up among the active codes).")
        String code;

        @Mixin
        WriteOptions write;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String why = write.reason();
            return print(spec, account.id, SupportCommands.service(spec).discount(account.id, coupon, code, false, why, write.dryRun));
        }
    }

    @Command(name = "remove", description = "Remove every discount of the running subscription (discounts=\"\"), with Stripe's preview "
            + "of the next invoice. Audited; --dry-run shows the preview and the request and sends nothing. Exit 0 with 'nothing to "
            + "remove' when it has none, 1 when there is no running subscription, 4 for a live key without --live.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing discount remove --account acme --reason \"offer ended\"", "  billing discount remove --account acme --dry-run"})
    static final class Remove implements Callable<Integer> {
        @Mixin
        AccountOption account;

        @Mixin
        WriteOptions write;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String why = write.reason();
            return print(spec, account.id, SupportCommands.service(spec).discount(account.id, null, null, true, why, write.dryRun));
        }
    }

    private static int print(CommandSpec spec, String account, DiscountChange c) {
        Output out = Commands.output(spec);
        if (out.json()) {
            out.json(new DiscountJson(account, c.sent(), c.message(), c.coupon(), c.promotionCode(), c.discountsBefore(), c.discountsAfter(),
                    c.preview(), c.request(), SupportCommands.SubscriptionJson.of(c.before()), SupportCommands.SubscriptionJson.of(c.after())));
            return ExitCode.OK;
        }
        SupportCommands.printAction(out, c.message(), c.sent(), c.request(), true);
        return ExitCode.OK;
    }

    /** {@code -o json discount apply} and {@code discount remove}. */
    record DiscountJson(String account, boolean sent, String message, String coupon, String promotionCode, List<String> discountsBefore,
            List<String> discountsAfter, DiscountPreview preview, Request request, SupportCommands.SubscriptionJson before,
            SupportCommands.SubscriptionJson after) {}
}
