package dev.billingcli.webhook.handlers;

/**
 * {@code subscription_schedule.aborted}: the subscription was canceled for non-payment and its schedule with it (status
 * {@code canceled}); the same as {@code subscription_schedule.created}, with the schedule's new state.
 */
public final class SubscriptionScheduleAbortedHandler extends SubscriptionScheduleCreatedHandler {}
