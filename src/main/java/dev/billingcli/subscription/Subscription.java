package dev.billingcli.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One Stripe subscription as this app holds it. Built from Stripe's subscription object at the pinned
 * API version, where the billing period lives on the subscription items (Basil and later), not on the
 * subscription itself. State questions are one-line predicates built from each other.
 *
 * @param accountId null while the customer is not linked to an account yet
 * @param planId the catalog plan of the first item's price (lookup key, else price or subscription metadata)
 * @param pauseBehavior Stripe's {@code pause_collection.behavior} ({@code void}, {@code keep_as_draft},
 *     {@code mark_uncollectible}) while payment collection is paused, else null; the status stays as it was
 * @param pauseResumesAt {@code pause_collection.resumes_at}: when Stripe resumes collection by itself, or null
 * @param pausePaidUntil not Stripe's: the period end held when the pause was first seen (the ledger carries it
 *     while the pause lasts), because Stripe keeps renewing the period while collection is paused, unpaid
 * @param scheduleId the subscription schedule attached ({@code schedule}), or null
 * @param scheduledChange not Stripe's subscription field: the change that schedule makes at the renewal, when
 *     this app set it up (the ledger carries it while the schedule stays), else null
 * @param currency Stripe's {@code currency} of the subscription (lowercase ISO code; one price may bill in several), or
 *     null when not known (a row from a checkout alone, or stored before it was kept)
 */
public record Subscription(
        String id,
        String accountId,
        String customerId,
        String planId,
        String priceId,
        String priceLookupKey,
        String interval,
        int quantity,
        String status,
        Instant currentPeriodStart,
        Instant currentPeriodEnd,
        boolean cancelAtPeriodEnd,
        Instant cancelAt,
        Instant canceledAt,
        Instant endedAt,
        Instant trialStart,
        Instant trialEnd,
        String pauseBehavior,
        Instant pauseResumesAt,
        Instant pausePaidUntil,
        String scheduleId,
        ScheduledChange scheduledChange,
        Map<String, String> metadata,
        String currency) {

    public Subscription {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /**
     * @param object Stripe's subscription object (an event's {@code data.object} or a retrieve answer)
     * @param planOfLookupKey the catalog plan a price lookup key belongs to, if any
     */
    public static Subscription fromStripe(JsonNode object, Function<String, Optional<String>> planOfLookupKey) {
        JsonNode item = object.path("items").path("data").path(0);
        JsonNode price = item.path("price");
        String lookupKey = text(price, "lookup_key");
        String plan = lookupKey == null ? null : planOfLookupKey.apply(lookupKey).orElse(null);
        if (plan == null) {
            plan = text(price.path("metadata"), "billing_plan");
        }
        if (plan == null) {
            plan = text(object.path("metadata"), "billing_plan");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        object.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        // Pinned API (Basil and later): the period is per item. Events fetched from /v1/events may be
        // rendered at an older account version, where it is on the subscription: fall back to that.
        Instant periodStart = firstTime(item, object, "current_period_start");
        Instant periodEnd = firstTime(item, object, "current_period_end");
        JsonNode pause = object.path("pause_collection");
        String pauseBehavior = pause.isObject() ? text(pause, "behavior") : null;
        return new Subscription(
                object.path("id").asText(),
                null,
                idOf(object.path("customer")),
                plan,
                text(price, "id"),
                lookupKey,
                text(price.path("recurring"), "interval"),
                item.path("quantity").isNumber() ? item.path("quantity").asInt() : 1,
                object.path("status").asText(),
                periodStart,
                periodEnd,
                object.path("cancel_at_period_end").asBoolean(false),
                time(object, "cancel_at"),
                time(object, "canceled_at"),
                time(object, "ended_at"),
                time(object, "trial_start"),
                time(object, "trial_end"),
                pauseBehavior,
                pauseBehavior == null ? null : time(pause, "resumes_at"),
                pauseBehavior == null ? null : periodEnd,
                idOf(object.path("schedule")),
                null,
                metadata,
                text(object, "currency"));
    }

    /**
     * A copy in which only these may differ: the account, the status, the pause's paid-until, the schedule and its change.
     * One constructor call for every {@code with…} below.
     */
    private Subscription copy(String account, String newStatus, Instant paidUntil, String schedule, ScheduledChange change) {
        return new Subscription(id, account, customerId, planId, priceId, priceLookupKey, interval, quantity, newStatus,
                currentPeriodStart, currentPeriodEnd, cancelAtPeriodEnd, cancelAt, canceledAt, endedAt, trialStart, trialEnd, pauseBehavior,
                pauseResumesAt, paidUntil, schedule, change, metadata, currency);
    }

    public Subscription withAccount(String account) {
        return copy(account, status, pausePaidUntil, scheduleId, scheduledChange);
    }

    /** The same state with the pause's paid-until taken from an earlier state of a pause that is still on. */
    public Subscription withPausePaidUntil(Instant paidUntil) {
        return copy(accountId, status, paidUntil, scheduleId, scheduledChange);
    }

    /** The same state with the change its schedule makes at the renewal. */
    public Subscription withScheduledChange(ScheduledChange change) {
        return copy(accountId, status, pausePaidUntil, scheduleId, change);
    }

    /** The schedule and the change it makes at the renewal (both null: none). */
    public Subscription withSchedule(String schedule, ScheduledChange change) {
        return copy(accountId, status, pausePaidUntil, schedule, schedule == null ? null : change);
    }

    public Subscription withStatus(String newStatus) {
        return copy(accountId, newStatus, pausePaidUntil, scheduleId, scheduledChange);
    }

    // ---- state, as predicates built from each other

    /** The status as our enum; null for a status Stripe added after this build. */
    public SubscriptionStatus state() {
        return SubscriptionStatus.of(status);
    }

    public boolean active() {
        return state() == SubscriptionStatus.ACTIVE;
    }

    public boolean onTrial() {
        return state() == SubscriptionStatus.TRIALING;
    }

    public boolean pastDue() {
        return state() == SubscriptionStatus.PAST_DUE;
    }

    public boolean canceled() {
        return state() == SubscriptionStatus.CANCELED;
    }

    /** Checkout finished but the money has not arrived (bank transfer, SEPA debit…). */
    public boolean pending() {
        return state() != null && state().pending();
    }

    /** Not ended: still running, or about to (a second checkout would double-bill). */
    public boolean running() {
        return state() == null || !state().ended();
    }

    public boolean cancelScheduled() {
        return !canceled() && (cancelAtPeriodEnd || cancelAt != null);
    }

    /**
     * When paid access stops: the earliest of the period end, the scheduled cancellation date, and the
     * moment the subscription ended (a cancellation "now" ends it within its period).
     */
    public Instant accessEnd() {
        Instant end = currentPeriodEnd;
        for (Instant t : new Instant[] {cancelAt, endedAt}) {
            if (t != null && (end == null || t.isBefore(end))) {
                end = t;
            }
        }
        return end;
    }

    public boolean withinPaidPeriod(Instant now) {
        return accessEnd() != null && now.isBefore(accessEnd());
    }

    public Instant graceEnd(int graceDays) {
        return currentPeriodEnd == null ? null : currentPeriodEnd.plus(Duration.ofDays(graceDays));
    }

    public boolean onGracePeriod(Instant now, int graceDays) {
        return pastDue() && graceEnd(graceDays) != null && now.isBefore(graceEnd(graceDays));
    }

    /** Cancellation scheduled or done, and the paid period still running. */
    public boolean endingWithPeriod(Instant now) {
        return (cancelScheduled() || canceled()) && withinPaidPeriod(now);
    }

    /**
     * Payment collection is paused ({@code pause_collection} set) and Stripe has not resumed it by itself
     * yet ({@code resumes_at} still ahead). The status stays what it was: this is not Stripe's {@code paused}
     * status, which only a trial ending without a payment method gives.
     */
    public boolean collectionPaused(Instant now) {
        return pauseBehavior != null && (pauseResumesAt == null || now.isBefore(pauseResumesAt));
    }

    /** Collection paused, and the period paid before the pause still running: access continues until its end. */
    public boolean pausedWithinPaidPeriod(Instant now) {
        return collectionPaused(now) && pausePaidUntil != null && now.isBefore(pausePaidUntil);
    }

    /** Whether the subscription gives its plan now. */
    public boolean valid(Instant now, int graceDays) {
        return ((active() || onTrial()) && (!cancelScheduled() || withinPaidPeriod(now))
                        && (!collectionPaused(now) || pausedWithinPaidPeriod(now)))
                || onGracePeriod(now, graceDays)
                || (canceled() && withinPaidPeriod(now));
    }

    public boolean ended(Instant now) {
        return canceled() && !withinPaidPeriod(now);
    }

    // ---- comparing two states of one subscription

    /** One field that differs between two states (the database's and Stripe's, say). */
    public record Difference(String field, String database, String stripe) {}

    /** Every field where {@code other} differs from this state (the account link aside). */
    public java.util.List<Difference> differences(Subscription other) {
        java.util.List<Difference> out = new java.util.ArrayList<>();
        compare(out, "status", status, other.status);
        compare(out, "plan", planId, other.planId);
        compare(out, "price", priceId, other.priceId);
        compare(out, "interval", interval, other.interval);
        compare(out, "quantity", quantity, other.quantity);
        compare(out, "currency", currency, other.currency);
        compare(out, "current_period_start", currentPeriodStart, other.currentPeriodStart);
        compare(out, "current_period_end", currentPeriodEnd, other.currentPeriodEnd);
        compare(out, "cancel_at_period_end", cancelAtPeriodEnd, other.cancelAtPeriodEnd);
        compare(out, "cancel_at", cancelAt, other.cancelAt);
        compare(out, "canceled_at", canceledAt, other.canceledAt);
        compare(out, "ended_at", endedAt, other.endedAt);
        compare(out, "trial_end", trialEnd, other.trialEnd);
        compare(out, "pause_collection.behavior", pauseBehavior, other.pauseBehavior);
        compare(out, "pause_collection.resumes_at", pauseResumesAt, other.pauseResumesAt);
        compare(out, "schedule", scheduleId, other.scheduleId);
        compare(out, "customer", customerId, other.customerId);
        return out;
    }

    private static void compare(java.util.List<Difference> out, String field, Object mine, Object theirs) {
        if (!java.util.Objects.equals(mine, theirs)) {
            out.add(new Difference(field, mine == null ? null : mine.toString(), theirs == null ? null : theirs.toString()));
        }
    }

    // ---- reading Stripe JSON

    static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    static Instant time(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isNumber() ? Instant.ofEpochSecond(v.asLong()) : null;
    }

    private static Instant firstTime(JsonNode first, JsonNode second, String field) {
        Instant t = time(first, field);
        return t != null ? t : time(second, field);
    }

    /** An id field that may be expanded into the object. */
    public static String idOf(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        return node.isObject() ? text(node, "id") : null;
    }
}
