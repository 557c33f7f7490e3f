package dev.billingcli.webhook.handlers;

/** {@code subscription_schedule.released}: the same as {@code subscription_schedule.created}, with the schedule's new state. */
public final class SubscriptionScheduleReleasedHandler extends SubscriptionScheduleCreatedHandler {}
