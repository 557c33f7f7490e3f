package dev.billingcli.subscription;

import java.time.Instant;

/**
 * A plan change waiting for the renewal in a Stripe subscription schedule (its next phase). The
 * subscription object names only the schedule, so this comes from the schedule as it was set up
 * ({@code change-plan --at renewal}) and is kept while the subscription keeps that schedule.
 *
 * @param cycle {@code monthly} or {@code yearly}
 * @param at when the next phase starts: the current period's end
 */
public record ScheduledChange(String planId, String cycle, int quantity, Instant at) {}
