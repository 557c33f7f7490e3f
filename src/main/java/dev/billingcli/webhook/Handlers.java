package dev.billingcli.webhook;

import dev.billingcli.webhook.handlers.CheckoutSessionAsyncPaymentFailedHandler;
import dev.billingcli.webhook.handlers.CheckoutSessionAsyncPaymentSucceededHandler;
import dev.billingcli.webhook.handlers.CheckoutSessionCompletedHandler;
import dev.billingcli.webhook.handlers.CustomerCreatedHandler;
import dev.billingcli.webhook.handlers.CustomerSubscriptionCreatedHandler;
import dev.billingcli.webhook.handlers.CustomerSubscriptionDeletedHandler;
import dev.billingcli.webhook.handlers.CustomerSubscriptionTrialWillEndHandler;
import dev.billingcli.webhook.handlers.CustomerSubscriptionUpdatedHandler;
import dev.billingcli.webhook.handlers.CustomerUpdatedHandler;
import dev.billingcli.webhook.handlers.InvoicePaidHandler;
import dev.billingcli.webhook.handlers.InvoicePaymentFailedHandler;
import dev.billingcli.webhook.handlers.InvoicePaymentSucceededHandler;
import dev.billingcli.webhook.handlers.RefundCreatedHandler;
import dev.billingcli.webhook.handlers.RefundUpdatedHandler;
import dev.billingcli.webhook.handlers.SubscriptionScheduleAbortedHandler;
import dev.billingcli.webhook.handlers.SubscriptionScheduleCanceledHandler;
import dev.billingcli.webhook.handlers.SubscriptionScheduleCompletedHandler;
import dev.billingcli.webhook.handlers.SubscriptionScheduleCreatedHandler;
import dev.billingcli.webhook.handlers.SubscriptionScheduleExpiringHandler;
import dev.billingcli.webhook.handlers.SubscriptionScheduleReleasedHandler;
import dev.billingcli.webhook.handlers.SubscriptionScheduleUpdatedHandler;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The table of contents: one handler per event type, found in one step from the type's name. These keys
 * are also the event types {@code stripe:webhook} registers, so registration and handling cannot disagree.
 * A type not in the map is stored with outcome {@code ignored}.
 */
public final class Handlers {
    private static final Map<String, Handler> BY_TYPE = byType();

    private static Map<String, Handler> byType() {
        Map<String, Handler> m = new LinkedHashMap<>();
        m.put("checkout.session.completed", new CheckoutSessionCompletedHandler());
        m.put("checkout.session.async_payment_succeeded", new CheckoutSessionAsyncPaymentSucceededHandler());
        m.put("checkout.session.async_payment_failed", new CheckoutSessionAsyncPaymentFailedHandler());
        m.put("customer.created", new CustomerCreatedHandler());
        m.put("customer.updated", new CustomerUpdatedHandler());
        m.put("customer.subscription.created", new CustomerSubscriptionCreatedHandler());
        m.put("customer.subscription.updated", new CustomerSubscriptionUpdatedHandler());
        m.put("customer.subscription.deleted", new CustomerSubscriptionDeletedHandler());
        m.put("customer.subscription.trial_will_end", new CustomerSubscriptionTrialWillEndHandler());
        m.put("invoice.paid", new InvoicePaidHandler());
        m.put("invoice.payment_succeeded", new InvoicePaymentSucceededHandler());
        m.put("invoice.payment_failed", new InvoicePaymentFailedHandler());
        m.put("refund.created", new RefundCreatedHandler());
        m.put("refund.updated", new RefundUpdatedHandler());
        m.put("subscription_schedule.created", new SubscriptionScheduleCreatedHandler());
        m.put("subscription_schedule.updated", new SubscriptionScheduleUpdatedHandler());
        m.put("subscription_schedule.released", new SubscriptionScheduleReleasedHandler());
        m.put("subscription_schedule.canceled", new SubscriptionScheduleCanceledHandler());
        m.put("subscription_schedule.completed", new SubscriptionScheduleCompletedHandler());
        m.put("subscription_schedule.aborted", new SubscriptionScheduleAbortedHandler());
        m.put("subscription_schedule.expiring", new SubscriptionScheduleExpiringHandler());
        return Collections.unmodifiableMap(m);
    }

    /** Every handled event type, in the map's order. */
    public static final List<String> TYPES = List.copyOf(BY_TYPE.keySet());

    private Handlers() {}

    /** Types whose handler applies the subscription's full state through the ledger (it locks the row first). */
    private static final Set<String> SUBSCRIPTION_STATES = Set.of("customer.subscription.created", "customer.subscription.updated",
            "customer.subscription.deleted");

    /** Whether an event of this type applies the state of its object, a subscription, under that row's lock. */
    public static boolean locksItsSubscription(String type) {
        return SUBSCRIPTION_STATES.contains(type);
    }

    /** The handler of a type, or null when the type is not handled. */
    public static Handler forType(String type) {
        return BY_TYPE.get(type);
    }
}
