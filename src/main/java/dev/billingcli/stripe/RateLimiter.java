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

    /** A request waiting for its turn: urgent ones first, then in the order they came. */
    private record Turn(boolean urgent, long seq) {}

    private final java.util.PriorityQueue<Turn> waiting = new java.util.PriorityQueue<>(
            java.util.Comparator.comparing((Turn t) -> !t.urgent()).thenComparingLong(Turn::seq));
    private long seq;

    /** {@link #acquire(boolean)} for an ordinary request. */
    long acquire() throws InterruptedException {
        return acquire(false);
    }

    /**
     * Waits, if need be, until this request may go; returns the nanoseconds waited. The generic cell rate
     * algorithm: the request at the head of the queue takes the next slot of the schedule, and waits for as long
     * as that slot lies more than the burst allowance ahead of now; the others wait for their turn. An urgent
     * request (the next page of a list that cannot be read any other way but one page after another) goes ahead
     * of every ordinary one waiting: the rate is the same, only the order changes, so a long serial read is not
     * slowed down by the many requests that could go in any order.
     */
    long acquire(boolean urgent) throws InterruptedException {
        Turn me;
        synchronized (this) {
            me = new Turn(urgent, seq++);
            waiting.add(me);
        }
        long start = clock.getAsLong();
        try {
            while (true) {
                long wait;
                synchronized (this) {
                    while (waiting.peek() != me) {
                        wait(); // the head leaves with notifyAll
                    }
                    long now = clock.getAsLong();
                    long slot = Math.max(next, now);
                    wait = slot - now - (burstNanos - intervalNanos);
                    if (wait <= 0) {
                        next = slot + intervalNanos;
                        // back to the rate asked for, 1% of its interval a request, after a slow-down
                        intervalNanos = Math.max(baseIntervalNanos, intervalNanos - Math.max(1, baseIntervalNanos / 100));
                        return now - start;
                    }
                }
                // at most one interval (the head's slot is the next one): an urgent request arriving meanwhile takes
                // the head, and this one, awake, waits for its turn again
                sleeper.sleep(wait);
            }
        } finally {
            synchronized (this) {
                waiting.remove(me);
                notifyAll();
            }
        }
    }
}
