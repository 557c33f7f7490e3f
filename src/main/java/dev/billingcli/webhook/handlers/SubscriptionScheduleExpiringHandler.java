package dev.billingcli.webhook.handlers;

/**
 * {@code subscription_schedule.expiring}: seven days before a schedule ends (it is still running); the same as
 * {@code subscription_schedule.created}, with the schedule's state.
 */
public final class SubscriptionScheduleExpiringHandler extends SubscriptionScheduleCreatedHandler {}
