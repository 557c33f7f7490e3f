package dev.billingcli.stripe;

import java.util.function.LongSupplier;

/**
 * Requests per second for the whole process, shared by every Stripe call of every thread: a token bucket
 * that refills at {@code rate} a second and holds one second's worth, so a short command's few requests
 * go at once and a long one (sync, events fetch) settles at the rate. Stripe's limits are 25 requests/s
 * in test mode and 100 in live mode; the defaults (20 and 80) leave the app itself some room.
 */
final class RateLimiter {
    /** How a wait is spent (a test passes a clock that jumps instead). */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final long baseIntervalNanos;
    /** The interval in force: the base one, longer for a while after Stripe answered 429 ({@link #slowDown}). */
    private long intervalNanos;
    private final long burstNanos;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    private long next;

    RateLimiter(double perSecond, LongSupplier clock, Sleeper sleeper) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive: " + perSecond);
        }
        this.baseIntervalNanos = Math.max(1, Math.round(1e9 / perSecond));
        this.intervalNanos = baseIntervalNanos;
        this.burstNanos = 1_000_000_000L;
        this.clock = clock;
        this.sleeper = sleeper;
        this.next = clock.getAsLong();
    }

    static RateLimiter perSecond(double rate) {
        return new RateLimiter(rate, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
    }

    /**
     * Stripe answered 429 (its bucket is empty: other clients of the account, or a clock running ahead of
     * Stripe's): a fifth slower for every process thread, at most 8 times slower, recovering request by
     * request. Stripe's bucket then refills a little faster than it drains, and keeps that slack.
     */
    synchronized void slowDown() {
        intervalNanos = Math.min(baseIntervalNanos * 8, intervalNanos * 5 / 4);
    }

    /**
     * Waits, if need be, until this request may go; returns the nanoseconds waited. The generic cell rate
     * algorithm: each request takes the next slot of the schedule, and waits for as long as that slot lies
     * more than the burst allowance ahead of now.
     */
    long acquire() throws InterruptedException {
        long wait;
        synchronized (this) {
            long now = clock.getAsLong();
            long slot = Math.max(next, now);
            wait = Math.max(0, slot - now - (burstNanos - intervalNanos));
            next = slot + intervalNanos;
            // back to the rate asked for, 1% of its interval a request, after a slow-down
            intervalNanos = Math.max(baseIntervalNanos, intervalNanos - Math.max(1, baseIntervalNanos / 100));
        }
        if (wait > 0) {
            sleeper.sleep(wait);
        }
        return wait;
    }
}
