package dev.billingcli.webhook.handlers;

import dev.billingcli.webhook.Handler;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;

/**
 * {@code customer.subscription.trial_will_end} (three days before): recorded with its account, for
 * {@code events list}; the state it carries also comes with {@code customer.subscription.updated}.
 */
public final class CustomerSubscriptionTrialWillEndHandler implements Handler {
    @Override
    public Outcome handle(HandlerContext c) {
        String customer = dev.billingcli.subscription.Subscription.idOf(c.event().object().path("customer"));
        c.account(c.ledger().accountOf(c.tx(), customer, null));
        java.time.Instant end = c.ledger().read(c.event().object()).trialEnd();
        c.note(end == null ? "trial ending (no trial_end in the event)" : "trial ends " + end);
        return Outcome.APPLIED;
    }
}
