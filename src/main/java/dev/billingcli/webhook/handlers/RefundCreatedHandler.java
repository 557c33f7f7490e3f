package dev.billingcli.webhook.handlers;

import dev.billingcli.webhook.Handler;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;

/**
 * {@code refund.created}: a refund of one of an account's payments (made by {@code refund}, in the Dashboard, or
 * elsewhere) is recorded for {@code status}; one {@code refund} already recorded is left as it is.
 */
public class RefundCreatedHandler implements Handler {
    @Override
    public Outcome handle(HandlerContext c) {
        return Refunds.record(c);
    }
}
