package dev.billingcli.cli;

import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.Money;
import dev.billingcli.catalog.Plan;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.support.LicenseService;
import dev.billingcli.support.SupportService;
import dev.billingcli.webhook.EventLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code status}: one account on one screen, or its documented JSON. */
final class StatusRenderer {
    private StatusRenderer() {}

    /** The documented JSON of {@code status}; keys as the usual SaaS status endpoints name them (README). */
    record Json(String accountId, String customerId, String email, String tier, String effectiveTier, String accessReason,
            Instant accessUntil, String status, boolean hasStripeSubscription, String subscriptionId, String priceId, String interval,
            Integer quantity, String currency, Instant currentPeriodStart, Instant currentPeriodEnd, boolean cancelAtPeriodEnd, Instant cancelAt,
            Instant canceledAt, Instant endedAt, Instant trialEnd, String pauseBehavior, Instant pauseResumesAt, Instant pausePaidUntil,
            String scheduleId, String scheduledPlan, String scheduledCycle, Integer scheduledQuantity, Instant scheduledAt, Map<String, Object> limits, long credits,
            List<LicenseCommand.LicenseJson> licenses, List<RefundJson> refunds, List<RecentEvent> recentEvents,
            List<Subscription.Difference> stripeDifferences) {}

    /** One refund of the account's payments; amount in minor units of currency. */
    record RefundJson(String id, String invoice, String payment, long amount, String currency, String status, Instant created) {}

    record RecentEvent(String id, String type, Instant created, String outcome) {}

    static Json json(SupportService.Status s, Instant now) {
        Subscription sub = s.subscription();
        boolean none = sub == null;
        dev.billingcli.subscription.ScheduledChange scheduled = none ? null : sub.scheduledChange();
        List<LicenseCommand.LicenseJson> licenses = new ArrayList<>();
        for (LicenseService.License l : s.licenses()) {
            licenses.add(LicenseCommand.LicenseJson.of(l, now));
        }
        List<RefundJson> refunds = new ArrayList<>();
        for (SupportService.Refund r : s.refunds()) {
            refunds.add(new RefundJson(r.id(), r.invoiceId(), r.payment(), r.amount(), r.currency(), r.status(), r.created()));
        }
        List<RecentEvent> events = new ArrayList<>();
        for (EventLog.StoredEvent e : s.events()) {
            events.add(new RecentEvent(e.id(), e.type(), e.created(), e.outcome()));
        }
        return new Json(s.accountId(), s.customerId(), s.email(), none ? null : sub.planId(), s.access().planId(), s.access().reason(),
                s.access().until(), none ? null : sub.status(), !none, none ? null : sub.id(), none ? null : sub.priceId(),
                none ? null : sub.interval(), none ? null : sub.quantity(), none ? null : sub.currency(), none ? null : sub.currentPeriodStart(),
                none ? null : sub.currentPeriodEnd(), !none && sub.cancelAtPeriodEnd(), none ? null : sub.cancelAt(),
                none ? null : sub.canceledAt(), none ? null : sub.endedAt(), none ? null : sub.trialEnd(), none ? null : sub.pauseBehavior(),
                none ? null : sub.pauseResumesAt(), none ? null : sub.pausePaidUntil(), none ? null : sub.scheduleId(),
                scheduled == null ? null : scheduled.planId(), scheduled == null ? null : scheduled.cycle(),
                scheduled == null ? null : scheduled.quantity(), scheduled == null ? null : scheduled.at(), limits(s.effectivePlan()),
                s.credits(), licenses, refunds, events, s.differences());
    }

    /** A plan's limits by name (names from plans.yaml), "unlimited" spelled out. */
    static Map<String, Object> limits(Plan plan) {
        Map<String, Object> limits = new LinkedHashMap<>();
        if (plan != null) {
            plan.limits().forEach((k, v) -> limits.put(k, v == Plan.UNLIMITED ? "unlimited" : v));
        }
        return limits;
    }

    static void table(Output out, SupportService.Status s, Catalog catalog, Instant now) {
        Subscription sub = s.subscription();
        int grace = catalog.gracePeriodDays();
        String account = s.accountId();
        out.line(out.bold("Account   ") + account + (s.customerId() != null ? "  (customer " + s.customerId() + ")" : "  (no Stripe customer)")
                + (s.email() != null ? "  " + s.email() : ""));
        if (sub == null) {
            out.line(out.bold("Plan      ") + "no subscription");
        } else {
            out.line(out.bold("Plan      ") + planName(catalog, sub.planId()) + " · " + sub.status()
                    + (sub.interval() != null ? " · " + sub.interval() + "ly" : "") + " × " + sub.quantity()
                    + (sub.currency() != null ? " · " + sub.currency().toUpperCase(java.util.Locale.ROOT) : "") + "  (" + sub.id() + ")");
        }
        var access = s.access();
        String accessLine = planName(catalog, access.planId()) + " — " + access.reason();
        if (access.until() != null) {
            accessLine += ", access kept until " + SupportCommands.day(access.until());
            if (sub != null && sub.onGracePeriod(now, grace)) {
                accessLine += " by the " + grace + "-day grace";
            }
        }
        out.line(out.bold("Access    ") + accessLine);
        if (sub != null) {
            out.line(out.bold("Period    ") + SupportCommands.day(sub.currentPeriodStart()) + " → " + SupportCommands.day(sub.currentPeriodEnd()));
            out.line(out.bold("Cancel    ") + cancellation(sub));
            if (sub.scheduleId() != null) {
                var c = sub.scheduledChange();
                out.line(out.bold("Scheduled ") + (c == null ? "schedule " + sub.scheduleId() + " (not set up by billing: see the Dashboard)"
                        : (c.planId() == null ? "a price not in plans.yaml (see the Dashboard)" : planName(catalog, c.planId()))
                                + (c.cycle() != null ? " " + c.cycle() : "") + " × " + c.quantity() + (c.at() != null && c.at().isAfter(now) ? " from "
                                : " since ") + SupportCommands.day(c.at()) + "  (" + sub.scheduleId() + "; 'billing change-plan --account " + account
                                + " --cancel-scheduled' removes it)"));
            }
            if (sub.pauseBehavior() != null) {
                out.line(out.bold("Paused    ") + "collection paused (" + sub.pauseBehavior() + "), "
                        + (sub.pauseResumesAt() != null ? "resumes " + SupportCommands.day(sub.pauseResumesAt()) : "until resumed")
                        + "; paid until " + SupportCommands.day(sub.pausePaidUntil()) + ", then free");
            }
            if (sub.trialEnd() != null) {
                out.line(out.bold("Trial     ") + (sub.trialEnd().isAfter(now) ? "ends " : "ended ") + SupportCommands.day(sub.trialEnd()));
            }
        }
        Plan plan = s.effectivePlan();
        if (plan != null && !plan.limits().isEmpty()) {
            List<String> limits = new ArrayList<>();
            limits(plan).forEach((k, v) -> limits.add(k + ": " + v));
            out.line(out.bold("Limits    ") + String.join(", ", limits));
        }
        out.line(out.bold("Credits   ") + s.credits());
        if (!s.licenses().isEmpty()) {
            List<String> l = new ArrayList<>();
            for (LicenseService.License lic : s.licenses()) {
                l.add(lic.feature() + (lic.validUntil() == null ? "" : lic.valid(now) ? " until " + SupportCommands.day(lic.validUntil())
                        : " (expired)"));
            }
            out.line(out.bold("Licences  ") + String.join(", ", l));
        }
        if (!s.refunds().isEmpty()) {
            out.line(out.bold("Refunds   ") + "last " + s.refunds().size() + ":");
            for (SupportService.Refund r : s.refunds()) {
                out.line("  " + SupportCommands.day(r.created()) + "  " + Money.format(r.amount(), r.currency()) + " "
                        + r.currency().toUpperCase(java.util.Locale.ROOT) + " of " + (r.invoiceId() != null ? r.invoiceId() + " (" + r.payment() + ")"
                                : r.payment()) + "  " + r.status() + "  " + r.id());
            }
        }
        if (s.events().isEmpty()) {
            out.line(out.bold("Events    ") + "none yet");
        } else {
            out.line(out.bold("Events    ") + "last " + s.events().size() + ":");
            for (EventLog.StoredEvent e : s.events()) {
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
                    out.line("  " + d.field() + ": " + SupportCommands.difference(d));
                }
            }
        }
    }

    private static String cancellation(Subscription sub) {
        if (sub.canceled()) {
            return "canceled " + SupportCommands.day(sub.canceledAt()) + (sub.endedAt() != null ? ", ended " + SupportCommands.day(sub.endedAt()) : "");
        }
        if (sub.cancelAtPeriodEnd()) {
            return "scheduled at the period end (" + SupportCommands.day(sub.currentPeriodEnd()) + ")";
        }
        return sub.cancelAt() != null ? "scheduled on " + SupportCommands.day(sub.cancelAt()) + " (a date, not the period end)" : "none";
    }

    private static String planName(Catalog catalog, String planId) {
        if (planId == null) {
            return "no plan";
        }
        Plan p = catalog.plans().get(planId);
        return p == null ? planId + " (not in plans.yaml)" : p.name() + " (" + planId + ")";
    }
}
