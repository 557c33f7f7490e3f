package dev.billingcli.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The process-wide request rate, on a clock the test moves: a second's burst at once, then the rate. */
class RateLimiterTest {
    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private final RateLimiter limiter = new RateLimiter(20, clock::get, clock::addAndGet);

    @Test
    void aSecondsWorthGoesAtOnceThenOneEveryFiftyMilliseconds() throws InterruptedException {
        long start = clock.get();
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.acquire()).as("request " + (i + 1)).isZero();
        }
        assertThat(clock.get()).isEqualTo(start);
        for (int i = 0; i < 100; i++) {
            limiter.acquire();
        }
        // 120 requests at 20/s with a 20-request burst: the last one goes 5 s after the first
        assertThat(clock.get() - start).isEqualTo(5_000_000_000L);
    }

    @Test
    void anIdleSpellRefillsTheBurstButNotBeyondASecond() throws InterruptedException {
        for (int i = 0; i < 40; i++) {
            limiter.acquire();
        }
        clock.addAndGet(60_000_000_000L); // a minute without requests
        long before = clock.get();
        for (int i = 0; i < 20; i++) {
            limiter.acquire();
        }
        assertThat(clock.get()).isEqualTo(before);
        assertThat(limiter.acquire()).isEqualTo(50_000_000L);
    }

    @Test
    void anUrgentRequestGoesAheadOfOrdinaryOnesAlreadyWaiting() throws Exception {
        // each request thread sleeps until the test wakes it by name, so the order of the grants is the test's to see
        java.util.concurrent.Semaphore asleep = new java.util.concurrent.Semaphore(0);
        java.util.Map<String, java.util.concurrent.Semaphore> wake = java.util.Map.of("a", new java.util.concurrent.Semaphore(0),
                "b", new java.util.concurrent.Semaphore(0), "c", new java.util.concurrent.Semaphore(0));
        RateLimiter l = new RateLimiter(20, clock::get, nanos -> {
            asleep.release();
            wake.get(Thread.currentThread().getName()).acquire();
            clock.addAndGet(nanos);
        });
        for (int i = 0; i < 20; i++) {
            l.acquire(); // the burst: no wait
        }
        java.util.List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Thread a = request(l, false, "a", order);
        asleep.acquire(); // a is first in line, asleep until its slot
        Thread b = request(l, false, "b", order);
        while (b.getState() != Thread.State.WAITING) {
            Thread.onSpinWait(); // b waits behind a
        }
        Thread c = request(l, true, "c", order);
        asleep.acquire(); // c went ahead of both, and sleeps until the same slot

        wake.get("c").release();
        c.join(10_000);
        assertThat(order).as("c went while a slept").containsExactly("c");
        assertThat(a.isAlive()).isTrue();
        wake.get("a").release();
        a.join(10_000);
        wake.get("b").release(2);
        b.join(10_000);
        assertThat(order).containsExactly("c", "a", "b");
    }

    private static Thread request(RateLimiter l, boolean urgent, String name, java.util.List<String> order) {
        Thread t = new Thread(() -> {
            try {
                l.acquire(urgent);
                order.add(name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        t.start();
        return t;
    }
}
