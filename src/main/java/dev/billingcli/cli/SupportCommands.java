package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.BillingException;
import dev.billingcli.ExitCode;
import dev.billingcli.catalog.Cycle;
import dev.billingcli.catalog.Plan;
import dev.billingcli.store.AuditLog;
import dev.billingcli.store.EventStore;
import dev.billingcli.store.LicenseStore;
import dev.billingcli.stripe.SubscriptionGateway;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.support.SupportService;
import dev.billingcli.support.SupportService.CancelMode;
import dev.billingcli.support.SupportService.Change;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The support commands on one account: thin adapters over {@link SupportService}. */
final class SupportCommands {
    private SupportCommands() {}

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    static SupportService service(CommandSpec spec) {
        App app = Commands.app(spec);
        return new SupportService(app.catalog(), app.database(), () -> new SubscriptionGateway(app.stripe()),
                AuditLog.actor(app.settings().env("BILLING_ACTOR")));
    }

    static String day(Instant t) {
        return t == null ? "–" : DAY.format(t);
    }

    /** "active → past_due"; a side without the field says "(none)", never "null". */
    static String difference(Subscription.Difference d) {
        return (d.database() == null ? "(none)" : d.database()) + " → " + (d.stripe() == null ? "(none)" : d.stripe());
    }

    static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    // ------------------------------------------------------------------ checkout

    @Command(name = "checkout", description = "Create a Checkout Session for an account: subscription mode for a recurring price, payment "
            + "mode for a one-time price. Creates or reuses the account's Stripe customer. Prints the URL (hosted) or the client "
            + "secret (embedded). Refuses (exit 2) when the account already has a running subscription, unless --allow-second.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing checkout --account acme --plan pro --cycle yearly --email billing@acme.test",
                    "  billing checkout --account acme --plan pro --ui embedded",
                    "  billing checkout --account acme --plan credits_pack"})
    static final class Checkout implements Callable<Integer> {
        @Option(names = "--account", required = true, paramLabel = "ID", description = "The app's account id (organisation or user).")
        String account;

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
            var result = service(spec).checkout(new SupportService.CheckoutRequest(account, plan, c, email, mode, trialDays, quantity,
                    promoCodes, successUrl, cancelUrl, returnUrl, allowSecond));
            Output out = Commands.output(spec);
            if (out.json()) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("account", account);
                r.put("session", result.sessionId());
                r.put("mode", result.mode());
                r.put("url", result.url());
                r.put("clientSecret", result.clientSecret());
                r.put("customer", result.customerId());
                r.put("customerCreated", result.customerCreated());
                r.put("plan", result.price().planId());
                r.put("cycle", result.price().cycle().key());
                r.put("price", result.priceId());
                r.put("trialDays", result.trialDays());
                out.json(r);
                return ExitCode.OK;
            }
            out.line("Checkout for " + account + ": " + result.price().planId() + " " + result.price().cycle().key() + " ("
                    + result.price().display() + " " + result.price().currency().toUpperCase(Locale.ROOT) + ")"
                    + (result.trialDays() > 0 ? ", " + result.trialDays() + "-day trial" : "") + ", customer " + result.customerId()
                    + (result.customerCreated() ? " (new)" : ""));
            out.line(result.url() != null ? result.url() : "client secret: " + result.clientSecret());
            return ExitCode.OK;
        }
    }

    // ------------------------------------------------------------------ portal

    @Command(name = "portal", description = "A billing portal session URL for the account's customer; --flow opens a deep link straight to "
            + "cancelling, changing plan, or updating the payment method.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing portal --account acme", "  billing portal --account acme --flow cancel"})
    static final class Portal implements Callable<Integer> {
        @Option(names = "--account", required = true, paramLabel = "ID", description = "The app's account id.")
        String account;

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
            String url = service(spec).portal(account, returnUrl, f);
            Output out = Commands.output(spec);
            if (out.json()) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("account", account);
                r.put("flow", flow);
                r.put("url", url);
                out.json(r);
            } else {
                out.line(url);
            }
            return ExitCode.OK;
        }
    }

    // ------------------------------------------------------------------ cancel, reactivate

    @Command(name = "cancel", description = "Cancel the account's subscription: at the period end (default), now, or at a date. Recorded "
            + "in the audit log.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing cancel --account acme --reason \"asked by email\"", "  billing cancel --account acme --now",
                    "  billing cancel --account acme --at 2026-12-15"})
    static final class Cancel implements Callable<Integer> {
        @Option(names = "--account", required = true, paramLabel = "ID", description = "The app's account id.")
        String account;

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

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the audit log (and Stripe's cancellation details with --now).")
        String reason;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            CancelMode mode = when == null || when.atPeriodEnd ? CancelMode.AT_PERIOD_END : when.now ? CancelMode.NOW : CancelMode.AT;
            Instant at = mode == CancelMode.AT ? TimeArgs.since("--at", when.at, Instant.now()) : null;
            Change change = service(spec).cancel(account, mode, at, reason);
            return printChange(spec, account, change);
        }
    }

    @Command(name = "reactivate", description = "Undo a scheduled cancellation, reading the live subscription first: clears "
            + "cancel_at_period_end, or an explicit cancel_at, never both in one request; no immediate charge. Exit 1 when the "
            + "subscription already ended; exit 0 with 'nothing to reactivate' when nothing is scheduled.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing reactivate --account acme --reason \"asked by phone\""})
    static final class Reactivate implements Callable<Integer> {
        @Option(names = "--account", required = true, paramLabel = "ID", description = "The app's account id.")
        String account;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the audit log.")
        String reason;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return printChange(spec, account, service(spec).reactivate(account, reason));
        }
    }

    private static int printChange(CommandSpec spec, String account, Change change) {
        Output out = Commands.output(spec);
        if (out.json()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("account", account);
            r.put("changed", change.after() != null);
            r.put("message", change.message());
            r.put("before", subscriptionJson(change.before()));
            r.put("after", subscriptionJson(change.after()));
            out.json(r);
        } else {
            out.line(change.message());
        }
        return ExitCode.OK;
    }

    static Map<String, Object> subscriptionJson(Subscription s) {
        if (s == null) {
            return null;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", s.id());
        r.put("status", s.status());
        r.put("plan", s.planId());
        r.put("cancelAtPeriodEnd", s.cancelAtPeriodEnd());
        r.put("cancelAt", iso(s.cancelAt()));
        r.put("currentPeriodEnd", iso(s.currentPeriodEnd()));
        return r;
    }

    // ------------------------------------------------------------------ status

    @Command(name = "status", description = "One account on one screen: customer, plan, status, effective access and why, limits, "
            + "credits, licences, period, scheduled cancellation, trial, the last 5 events. --stripe also reads the live "
            + "subscription and lists every difference with the database. Exit 1 for an unknown account.",
            footerHeading = "%nExamples:%n",
            footer = {"  billing status --account acme", "  billing status --account acme --stripe", "  billing -o json status --account acme"})
    static final class Status implements Callable<Integer> {
        @Option(names = "--account", required = true, paramLabel = "ID", description = "The app's account id.")
        String account;

        @Option(names = "--stripe", description = "Also compare with the live subscription in Stripe.")
        boolean stripe;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            App app = Commands.app(spec);
            Instant now = Instant.now();
            SupportService.Status s = service(spec).status(account, stripe, now);
            int grace = app.catalog().gracePeriodDays();
            Output out = Commands.output(spec);
            Subscription sub = s.subscription();
            if (out.json()) {
                out.json(statusJson(s, now));
                return ExitCode.OK;
            }
            out.line(out.bold("Account   ") + account + (s.customerId() != null ? "  (customer " + s.customerId() + ")" : "  (no Stripe customer)")
                    + (s.email() != null ? "  " + s.email() : ""));
            if (sub == null) {
                out.line(out.bold("Plan      ") + "no subscription");
            } else {
                out.line(out.bold("Plan      ") + planName(app, sub.planId()) + " · " + sub.status()
                        + (sub.interval() != null ? " · " + sub.interval() + "ly" : "") + " × " + sub.quantity() + "  (" + sub.id() + ")");
            }
            var access = s.access();
            String accessLine = planName(app, access.planId()) + " — " + access.reason();
            if (access.until() != null) {
                accessLine += ", access kept until " + day(access.until());
                if (sub != null && sub.onGracePeriod(now, grace)) {
                    accessLine += " by the " + grace + "-day grace";
                }
            }
            out.line(out.bold("Access    ") + accessLine);
            if (sub != null) {
                out.line(out.bold("Period    ") + day(sub.currentPeriodStart()) + " → " + day(sub.currentPeriodEnd()));
                String cancel = sub.canceled() ? "canceled " + day(sub.canceledAt()) + (sub.endedAt() != null ? ", ended " + day(sub.endedAt()) : "")
                        : sub.cancelAtPeriodEnd() ? "scheduled at the period end (" + day(sub.currentPeriodEnd()) + ")"
                        : sub.cancelAt() != null ? "scheduled on " + day(sub.cancelAt()) + " (a date, not the period end)"
                        : "none";
                out.line(out.bold("Cancel    ") + cancel);
                if (sub.trialEnd() != null) {
                    out.line(out.bold("Trial     ") + (sub.trialEnd().isAfter(now) ? "ends " : "ended ") + day(sub.trialEnd()));
                }
            }
            Plan plan = s.effectivePlan();
            if (plan != null && !plan.limits().isEmpty()) {
                List<String> limits = new ArrayList<>();
                plan.limits().forEach((k, v) -> limits.add(k + ": " + (v == Plan.UNLIMITED ? "unlimited" : v)));
                out.line(out.bold("Limits    ") + String.join(", ", limits));
            }
            out.line(out.bold("Credits   ") + s.credits());
            if (!s.licenses().isEmpty()) {
                List<String> l = new ArrayList<>();
                for (LicenseStore.License lic : s.licenses()) {
                    l.add(lic.feature() + (lic.validUntil() == null ? "" : lic.valid(now) ? " until " + day(lic.validUntil()) : " (expired)"));
                }
                out.line(out.bold("Licences  ") + String.join(", ", l));
            }
            if (s.events().isEmpty()) {
                out.line(out.bold("Events    ") + "none yet");
            } else {
                out.line(out.bold("Events    ") + "last " + s.events().size() + ":");
                for (EventStore.StoredEvent e : s.events()) {
                    out.line("  " + e.created() + "  " + e.type() + "  " + e.outcome() + "  " + e.id());
                }
            }
            if (s.differences() != null) {
                if (s.differences().isEmpty()) {
                    out.line(out.bold("Stripe    ") + out.green("✓") + " the database matches Stripe");
                } else {
                    out.line(out.bold("Stripe    ") + out.red("✗") + " " + s.differences().size() + " difference(s) (database → Stripe); "
                            + "'billing sync --account " + account + "' repairs them:");
                    for (Subscription.Difference d : s.differences()) {
                        out.line("  " + d.field() + ": " + difference(d));
                    }
                }
            }
            return ExitCode.OK;
        }

        private static String planName(App app, String planId) {
            if (planId == null) {
                return "no plan";
            }
            Plan p = app.catalog().plans().get(planId);
            return p == null ? planId + " (not in plans.yaml)" : p.name() + " (" + planId + ")";
        }
    }

    /** The documented JSON of {@code status}; keys as in the seed apps' status endpoints. */
    static Map<String, Object> statusJson(SupportService.Status s, Instant now) {
        Subscription sub = s.subscription();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("accountId", s.accountId());
        r.put("customerId", s.customerId());
        r.put("email", s.email());
        r.put("tier", sub == null ? null : sub.planId());
        r.put("effectiveTier", s.access().planId());
        r.put("accessReason", s.access().reason());
        r.put("accessUntil", iso(s.access().until()));
        r.put("status", sub == null ? null : sub.status());
        r.put("hasStripeSubscription", sub != null);
        r.put("subscriptionId", sub == null ? null : sub.id());
        r.put("priceId", sub == null ? null : sub.priceId());
        r.put("interval", sub == null ? null : sub.interval());
        r.put("quantity", sub == null ? null : sub.quantity());
        r.put("currentPeriodStart", sub == null ? null : iso(sub.currentPeriodStart()));
        r.put("currentPeriodEnd", sub == null ? null : iso(sub.currentPeriodEnd()));
        r.put("cancelAtPeriodEnd", sub != null && sub.cancelAtPeriodEnd());
        r.put("cancelAt", sub == null ? null : iso(sub.cancelAt()));
        r.put("canceledAt", sub == null ? null : iso(sub.canceledAt()));
        r.put("endedAt", sub == null ? null : iso(sub.endedAt()));
        r.put("trialEnd", sub == null ? null : iso(sub.trialEnd()));
        Map<String, Object> limits = new LinkedHashMap<>();
        if (s.effectivePlan() != null) {
            s.effectivePlan().limits().forEach((k, v) -> limits.put(k, v == Plan.UNLIMITED ? "unlimited" : v));
        }
        r.put("limits", limits);
        r.put("credits", s.credits());
        List<Object> licenses = new ArrayList<>();
        for (LicenseStore.License l : s.licenses()) {
            licenses.add(LicenseCommand.row(l));
        }
        r.put("licenses", licenses);
        List<Object> events = new ArrayList<>();
        for (EventStore.StoredEvent e : s.events()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id());
            m.put("type", e.type());
            m.put("created", iso(e.created()));
            m.put("outcome", e.outcome());
            events.add(m);
        }
        r.put("recentEvents", events);
        if (s.differences() == null) {
            r.put("stripeDifferences", null);
        } else {
            r.put("stripeDifferences", differencesJson(s.differences()));
        }
        return r;
    }

    /** Differences as JSON objects {field, database, stripe}: status --stripe and sync print the same shape. */
    static List<Object> differencesJson(List<Subscription.Difference> differences) {
        List<Object> out = new ArrayList<>();
        for (Subscription.Difference d : differences) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("field", d.field());
            m.put("database", d.database());
            m.put("stripe", d.stripe());
            out.add(m);
        }
        return out;
    }
}
