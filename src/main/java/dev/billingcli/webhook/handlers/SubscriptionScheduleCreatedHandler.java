package dev.billingcli.webhook.handlers;

import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.ledger.SubscriptionLedger.Kind;
import dev.billingcli.webhook.Handler;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;

/**
 * {@code subscription_schedule.created}: a schedule of one of our subscriptions (made in the Dashboard, or by
 * {@code change-plan --at renewal}); the ledger keeps it and the change its next phase makes, which {@code status}
 * shows. The other schedule events do the same with the schedule's new state (a released, canceled or completed
 * schedule is the subscription's no more).
 */
public class SubscriptionScheduleCreatedHandler implements Handler {
    @Override
    public Outcome handle(HandlerContext c) {
        SubscriptionLedger.Result r = c.ledger().schedule(c.tx(), c.event().object(), c.event().created(), c.event().id());
        if (r == null) {
            c.note("schedule " + c.event().object().path("id").asText() + " names no subscription");
            return Outcome.APPLIED;
        }
        c.account(r.accountId());
        if (r.kind() == Kind.UPDATED) {
            c.note(r.after().scheduleId() == null ? "schedule " + r.before().scheduleId() + " removed from " + r.after().id()
                    : r.after().scheduledChange() == null ? "schedule " + r.after().scheduleId() + ": no change after the current phase"
                    : "schedule " + r.after().scheduleId() + ": " + SubscriptionLedger.describe(r.after().scheduledChange()));
        } else {
            c.note(r.note());
        }
        return r.kind() == Kind.STALE ? Outcome.STALE : Outcome.APPLIED;
    }
}
