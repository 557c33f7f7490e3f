package dev.billingcli.cli;

import dev.billingcli.support.SupportService.Request;
import dev.billingcli.BillingException;
import dev.billingcli.ExitCode;
import dev.billingcli.catalog.Cycle;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.support.SupportService;
import dev.billingcli.support.SupportService.CancelMode;
import dev.billingcli.support.SupportService.Change;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The support commands on one account: thin adapters over {@link SupportService}. */
final class SupportCommands {
    private SupportCommands() {}

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    static SupportService service(CommandSpec spec) {
        return Commands.app(spec).supportService();
    }

    static String day(Instant t) {
        return t == null ? "–" : DAY.format(t);
    }

    /** "active → past_due"; a side without the field says "(none)", never "null". */
    static String difference(Subscription.Difference d) {
        return (d.database() == null ? "(none)" : d.database()) + " → " + (d.stripe() == null ? "(none)" : d.stripe());
    }

    // ------------------------------------------------------------------ checkout

    @Command(name = "checkout", description = "Create a Checkout Session for an account: subscription mode for a recurring price, payment "
            + "mode for a one-time price. Creates or reuses the account's Stripe customer. Prints the URL (hosted) or the client "
            + "secret (embedded). Refuses (exit 2) when the account already has a running subscription, unless --allow-second.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing checkout --account acme --plan pro --cycle yearly --email billing@acme.test",
                    "  billing checkout --account acme --plan pro --ui embedded",
                    "  billing checkout --account acme --plan credits_pack",
                    "  billing checkout --account acme --plan pro --currency usd"})
    static final class Checkout implements Callable<Integer> {
        @Mixin
        AccountOption account;

        @Option(names = "--plan", required = true, paramLabel = "PLAN", completionCandidates = PlanIds.class,
                description = "A plan of plans.yaml with a price.")
        String plan;

        @Option(names = "--cycle", paramLabel = "monthly|yearly|once", description = "Which price [default: monthly, or the plan's only price].")
        String cycle;

        @Option(names = "--email", paramLabel = "E", description = "The customer's email, when the customer is created now.")
        String email;

        @Option(names = "--ui", paramLabel = "hosted|embedded", defaultValue = "hosted", description = "Hosted page (a URL) or embedded (a client secret) [default: hosted].")
        String ui;

        @Option(names = "--trial-days", paramLabel = "N", description = "Trial length, overriding the plan's (0 for none).")
        Integer trialDays;

        @Option(names = "--quantity", paramLabel = "N", defaultValue = "1", description = "Seats or units [default: 1].")
        int quantity;

        @Option(names = "--promo-codes", description = "Let the customer enter a promotion code.")
        boolean promoCodes;

        @Option(names = "--success-url", paramLabel = "U", description = "Hosted: where Stripe sends the customer after paying [default: plans.yaml].")
        String successUrl;

        @Option(names = "--cancel-url", paramLabel = "U", description = "Hosted: where the back link goes [default: plans.yaml].")
        String cancelUrl;

        @Option(names = "--return-url", paramLabel = "U", description = "Embedded: where the customer returns [default: plans.yaml].")
        String returnUrl;

        @Option(names = "--allow-second", description = "Allow a second running subscription for the account.")
        boolean allowSecond;

        @Option(names = "--currency", paramLabel = "C", description = "Charge in this currency, one of plans.yaml's (currency, "
                + "currencies) [default: Checkout picks from the customer's location].")
        String currency;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            SupportService.Ui mode = switch (ui.toLowerCase(Locale.ROOT)) {
                case "hosted" -> SupportService.Ui.HOSTED;
                case "embedded" -> SupportService.Ui.EMBEDDED;
                default -> throw BillingException.invalid("--ui must be hosted or embedded, got " + ui);
            };
            Cycle c = null;
            if (cycle != null) {
                c = java.util.Arrays.stream(Cycle.values()).filter(x -> x.key().equals(cycle)).findFirst()
                        .orElseThrow(() -> BillingException.invalid("--cycle must be monthly, yearly or once, got " + cycle));
            }
            var result = service(spec).checkout(new SupportService.CheckoutRequest(account.id, plan, c, email, mode, trialDays, quantity,
                    promoCodes, successUrl, cancelUrl, returnUrl, allowSecond, currency));
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(new Json(account.id, result.sessionId(), result.mode(), result.url(), result.clientSecret(), result.customerId(),
                        result.customerCreated(), result.price().planId(), result.price().cycle().key(), result.priceId(), result.trialDays(),
                        result.currency(), result.automaticTax()));
                return ExitCode.OK;
            }
            String amount = result.currency() != null
                    ? dev.billingcli.catalog.Money.format(result.price().amountIn(result.currency()).orElseThrow(), result.currency()) + " "
                            + result.currency().toUpperCase(Locale.ROOT)
                    : result.price().displayAll();
            out.line("Checkout for " + account.id + ": " + result.price().planId() + " " + result.price().cycle().key() + " ("
                    + amount + (result.automaticTax() ? " + tax by Stripe Tax" : "") + ")"
                    + (result.trialDays() > 0 ? ", " + result.trialDays() + "-day trial" : "") + ", customer " + result.customerId()
                    + (result.customerCreated() ? " (new)" : ""));
            out.line(result.url() != null ? result.url() : "client secret: " + result.clientSecret());
            return ExitCode.OK;
        }

        /** {@code -o json checkout}. */
        record Json(String account, String session, String mode, String url, String clientSecret, String customer,
                boolean customerCreated, String plan, String cycle, String price, int trialDays, String currency, boolean automaticTax) {}
    }

    // ------------------------------------------------------------------ portal

    @Command(name = "portal", description = "A billing portal session URL for the account's customer; --flow opens a deep link straight to "
            + "cancelling, changing plan, or updating the payment method.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing portal --account acme", "  billing portal --account acme --flow cancel"})
    static final class Portal implements Callable<Integer> {
        @Mixin
        AccountOption account;

        @Option(names = "--return-url", paramLabel = "U", description = "Where the portal's back link goes [default: plans.yaml portal.return_url].")
        String returnUrl;

        @Option(names = "--flow", paramLabel = "cancel|update|payment-method", description = "Open straight at one action.")
        String flow;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            SupportService.Flow f = flow == null ? null : switch (flow) {
                case "cancel" -> SupportService.Flow.CANCEL;
                case "update" -> SupportService.Flow.UPDATE;
                case "payment-method" -> SupportService.Flow.PAYMENT_METHOD;
                default -> throw BillingException.invalid("--flow must be cancel, update or payment-method, got " + flow);
            };
            String url = service(spec).portal(account.id, returnUrl, f);
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(new Json(account.id, flow, url));
            } else {
                out.line(url);
            }
            return ExitCode.OK;
        }

        /** {@code -o json portal}. */
        record Json(String account, String flow, String url) {}
    }

    // ------------------------------------------------------------------ cancel, reactivate

    @Command(name = "cancel", description = "Cancel the account's subscription: at the period end (default), now, or at a date. Audited; "
            + "with --now, --reason also goes into Stripe's cancellation details; --dry-run shows the request and what it costs and "
            + "sends nothing. Exit 1 when there is no running subscription, 2 for bad input, 4 for a live key without --live.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing cancel --account acme --reason \"asked by email\"", "  billing cancel --account acme --now --dry-run",
                    "  billing cancel --account acme --at 2026-12-15 --reason \"end of contract\""})
    static final class Cancel implements Callable<Integer> {
        @Mixin
        AccountOption account;

        static final class When {
            @Option(names = "--at-period-end", description = "At the end of the paid period (the default).")
            boolean atPeriodEnd;

            @Option(names = "--now", description = "At once: access ends now, no refund is made.")
            boolean now;

            @Option(names = "--at", paramLabel = "DATE", description = "At a date (2026-12-15, that day's start UTC) or an ISO time.")
            String at;
        }

        @ArgGroup(exclusive = true, multiplicity = "0..1")
        When when;

        @Mixin
        WriteOptions write;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String why = write.reason();
            CancelMode mode = when == null || when.atPeriodEnd ? CancelMode.AT_PERIOD_END : when.now ? CancelMode.NOW : CancelMode.AT;
            Instant at = mode == CancelMode.AT ? TimeArgs.since("--at", when.at, Instant.now()) : null;
            return printChange(spec, account.id, service(spec).cancel(account.id, mode, at, why, write.dryRun));
        }
    }

    @Command(name = "reactivate", description = "Undo a scheduled cancellation, reading the live subscription first: clears "
            + "cancel_at_period_end, or an explicit cancel_at, never both in one request; no immediate charge. Audited; --dry-run "
            + "shows the request and sends nothing. Exit 1 when the subscription already ended; exit 0 with 'nothing to reactivate' "
            + "when nothing is scheduled; 4 for a live key without --live.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing reactivate --account acme --reason \"asked by phone\"", "  billing reactivate --account acme --dry-run"})
    static final class Reactivate implements Callable<Integer> {
        @Mixin
        AccountOption account;

        @Mixin
        WriteOptions write;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String why = write.reason();
            return printChange(spec, account.id, service(spec).reactivate(account.id, why, write.dryRun));
        }
    }

    private static int printChange(CommandSpec spec, String account, Change change) {
        Output out = Commands.output(spec);
        if (out.json()) {
            out.json(new ChangeJson(account, change.after() != null, change.sent(), change.message(), change.request(),
                    SubscriptionJson.of(change.before()), SubscriptionJson.of(change.after())));
        } else {
            printAction(out, change.message(), change.sent(), change.request(), true);
        }
        return ExitCode.OK;
    }

    /**
     * {@code -o json cancel} and {@code -o json reactivate}: the subscription before and after (null when unchanged), and the
     * request sent (or, in a dry run, that would be).
     */
    record ChangeJson(String account, boolean changed, boolean sent, String message, Request request, SubscriptionJson before,
            SubscriptionJson after) {}

    /**
     * A support action's result in words: its message, and for a dry run the request it would have sent
     * (and its cost, unless a preview of the invoice already said it).
     */
    static void printAction(Output out, String message, boolean sent, Request request, boolean withCost) {
        out.line(message);
        if (!sent && request != null) {
            out.line("  " + request.method() + " " + request.path() + " " + request.fields());
            if (withCost) {
                out.line("  cost: " + request.cost());
            }
        }
    }

    record SubscriptionJson(String id, String status, String plan, boolean cancelAtPeriodEnd, Instant cancelAt, Instant currentPeriodEnd) {
        static SubscriptionJson of(Subscription s) {
            return s == null ? null
                    : new SubscriptionJson(s.id(), s.status(), s.planId(), s.cancelAtPeriodEnd(), s.cancelAt(), s.currentPeriodEnd());
        }
    }

    // ------------------------------------------------------------------ status

    @Command(name = "status", description = "One account on one screen: customer, plan, status, effective access and why, limits, "
            + "credits, licences, period, scheduled cancellation, trial, paused collection, scheduled plan change, the last 5 refunds, the last 5 events. --stripe also reads the live "
            + "subscription and lists every difference with the database. Exit 1 for an unknown account.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing status --account acme", "  billing status --account acme --stripe", "  billing -o json status --account acme"})
    static final class Status implements Callable<Integer> {
        @Mixin
        AccountOption account;

        @Option(names = "--stripe", description = "Also compare with the live subscription in Stripe.")
        boolean stripe;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Instant now = Instant.now();
            SupportService.Status s = service(spec).status(account.id, stripe, now);
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(StatusRenderer.json(s, now));
            } else {
                StatusRenderer.table(out, s, Commands.app(spec).catalog(), now);
            }
            return ExitCode.OK;
        }
    }
}
