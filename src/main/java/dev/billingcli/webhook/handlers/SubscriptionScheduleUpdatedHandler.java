package dev.billingcli.webhook.handlers;

/** {@code subscription_schedule.updated}: the same as {@code subscription_schedule.created}, with the schedule's new state. */
public final class SubscriptionScheduleUpdatedHandler extends SubscriptionScheduleCreatedHandler {}
