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
        c.account(SubscriptionStates.accountOf(c, customer, null));
        c.note("trial ends " + c.subscription(c.event().object()).trialEnd());
        return Outcome.APPLIED;
    }
}
