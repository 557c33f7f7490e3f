package dev.billingcli.subscription;

import java.time.Instant;

/**
 * The plan an account may use now, and why. Rules: active or trialing → the plan; past_due → the plan
 * until the period end plus the catalog's grace period; cancellation scheduled or done → the plan until
 * the period end (or the earlier cancel_at), then free; payment collection paused ({@code pause_collection})
 * → the plan until the end of the period paid before the pause, then free until collection resumes (by
 * {@code billing resume}, or Stripe at {@code resumes_at}); unpaid, incomplete, incomplete_expired, paused,
 * pending_* → free.
 *
 * @param until when this access ends, if it is known to end
 */
public record EffectiveAccess(String planId, String reason, Instant until) {

    /**
     * @param subscription null when the account has none
     * @param freePlanId the catalog's free plan (may be null: then "no plan")
     */
    public static EffectiveAccess of(Subscription subscription, String freePlanId, int graceDays, Instant now) {
        if (subscription == null) {
            return new EffectiveAccess(freePlanId, "no subscription", null);
        }
        Subscription s = subscription;
        if (!s.valid(now, graceDays)) {
            String why = s.ended(now) ? "canceled, period ended"
                    : s.pastDue() ? "past_due, grace period over"
                    : s.collectionPaused(now) && (s.active() || s.onTrial()) ? "collection paused, paid period over"
                            + (s.pauseResumesAt() != null ? " (resumes " + s.pauseResumesAt() + ")" : " (until resumed)")
                    : s.cancelScheduled() ? "cancellation took effect"
                    : s.status();
            return new EffectiveAccess(freePlanId, why, null);
        }
        if (s.onGracePeriod(now, graceDays)) {
            return new EffectiveAccess(s.planId(), "past_due, grace period", s.graceEnd(graceDays));
        }
        if (s.pausedWithinPaidPeriod(now)) {
            Instant until = s.pausePaidUntil();
            if (s.cancelScheduled() && s.accessEnd() != null && s.accessEnd().isBefore(until)) {
                until = s.accessEnd();
            }
            return new EffectiveAccess(s.planId(), "collection paused, paid until period end", until);
        }
        if (s.endingWithPeriod(now)) {
            return new EffectiveAccess(s.planId(), s.canceled() ? "canceled, paid until period end" : "cancels at period end", s.accessEnd());
        }
        return new EffectiveAccess(s.planId(), s.status(), null);
    }

    public boolean free(String freePlanId) {
        return planId == null || planId.equals(freePlanId);
    }
}
