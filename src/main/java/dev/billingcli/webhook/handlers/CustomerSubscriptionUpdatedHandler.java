package dev.billingcli.webhook.handlers;

import dev.billingcli.webhook.Handler;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;

/** {@code customer.subscription.updated}: the subscription's full state, applied in order (status, plan, price, period…). */
public final class CustomerSubscriptionUpdatedHandler implements Handler {
    @Override
    public Outcome handle(HandlerContext c) {
        return SubscriptionStates.apply(c);
    }
}
