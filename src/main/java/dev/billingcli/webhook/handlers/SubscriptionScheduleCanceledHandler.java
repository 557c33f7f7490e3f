package dev.billingcli.webhook.handlers;

/** {@code subscription_schedule.canceled}: the same as {@code subscription_schedule.created}, with the schedule's new state. */
public final class SubscriptionScheduleCanceledHandler extends SubscriptionScheduleCreatedHandler {}
