package dev.billingcli.cli;


import dev.billingcli.ExitCode;
import dev.billingcli.support.SupportService.RefundResult;
import dev.billingcli.support.SupportService.Request;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "refund", description = "Refund the payment of one of the account's invoices (--invoice, or --last: its newest paid one), "
        + "all that is left of it or --amount, never more than was paid minus what was refunded already. The account's credits are "
        + "not changed. Audited; --dry-run shows the request and sends nothing. Exit 1 when there is no paid invoice, 2 for an "
        + "amount over what is left or bad input, 4 for a live key without --live.",
        footerHeading = "%nExamples:%n",
        footer = {"  billing refund --account acme --last --reason \"charged twice\"",
                "  billing refund --account acme --invoice in_1Q2w3e --amount 9.50 --dry-run"})
final class RefundCommand implements Callable<Integer> {
    @Mixin
    AccountOption account;

    @Option(names = "--invoice", paramLabel = "in_…", description = "The invoice whose payment to refund (one of the account's).")
    String invoice;

    @Option(names = "--last", description = "The account's newest paid invoice.")
    boolean last;

    @Option(names = "--amount", paramLabel = "X", description = "How much, in the invoice's currency (9.50) [default: all that is left].")
    String amount;

    @Mixin
    WriteOptions write;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String why = write.reason();
        RefundResult r = SupportCommands.service(spec).refund(account.id, invoice, last, amount, why, write.dryRun);
        Output out = Commands.output(spec);
        if (out.json()) {
            out.json(new RefundJson(account.id, r.sent(), r.message(), r.invoiceId(), r.currency(), r.paid(), r.refundedBefore(), r.amount(),
                    r.full(), r.refundId(), r.refundStatus(), r.request(), r.requests(),
                    r.refunds().stream().map(p -> new PartJson(p.id(), p.payment(), p.amount(), p.status())).toList()));
            return ExitCode.OK;
        }
        SupportCommands.printAction(out, r.message(), r.sent(), r.request(), true);
        if (!r.sent()) {
            // an invoice paid in several payments: one refund per payment
            for (Request more : r.requests().subList(1, r.requests().size())) {
                out.line("  " + more.method() + " " + more.path() + " " + more.fields());
                out.line("  cost: " + more.cost());
            }
        }
        return ExitCode.OK;
    }

    /**
     * {@code -o json refund}; amounts in minor units of {@code currency}. {@code request}, {@code refund} and
     * {@code refundStatus} are the first of {@code requests} and {@code refunds} (one per payment of the invoice refunded).
     */
    record RefundJson(String account, boolean sent, String message, String invoice, String currency, long paid, long refundedBefore,
            long amount, boolean full, String refund, String refundStatus, Request request, List<Request> requests, List<PartJson> refunds) {}

    /** One refund sent, of one payment. */
    record PartJson(String id, String payment, long amount, String status) {}
}
