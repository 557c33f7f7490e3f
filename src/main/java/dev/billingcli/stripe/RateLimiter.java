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

    private final long intervalNanos;
    private final long burstNanos;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    private long next;

    RateLimiter(double perSecond, LongSupplier clock, Sleeper sleeper) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive: " + perSecond);
        }
        this.intervalNanos = Math.max(1, Math.round(1e9 / perSecond));
        this.burstNanos = 1_000_000_000L;
        this.clock = clock;
        this.sleeper = sleeper;
        this.next = clock.getAsLong();
    }

    static RateLimiter perSecond(double rate) {
        return new RateLimiter(rate, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
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
        }
        if (wait > 0) {
            sleeper.sleep(wait);
        }
        return wait;
    }
}
