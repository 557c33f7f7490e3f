package dev.billingcli.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Group commit in the application: deliveries that arrive while a transaction is being written wait for
 * the next one and share it ({@link EventProcessor#processTogether}): one commit (one WAL flush) and a few
 * round trips for the group instead of four round trips and a commit for each. Nothing waits on purpose:
 * at one delivery at a time each goes alone, as before; under load the groups form by themselves.
 *
 * <p>Deliveries are spread over {@code lanes} queues by their object (the subscription, the customer…),
 * each worked by {@link #OVERLAP} threads with a database connection each, which take the lane's groups in turn:
 * the next group is taken once the previous one's statements are done, while it commits. The events of one
 * subscription always go through the same lane, in arrival order, so two lanes never wait for each other's
 * row locks, and two deliveries of one event meet in one lane. A lane of its own rather than the request
 * threads taking turns to write (tried: no hand-off at one delivery at a time, +5% there, but −7% at 8 at
 * once, where the next group waited for a woken request thread; bench/README-webhook.md).
 */
final class GroupCommit implements AutoCloseable {
    /**
     * Lanes webhook-serve uses. One: on 2 cores two lanes (smaller groups, commits side by side) took 0.67 ms of CPU
     * per event against 0.49 and did not answer more (bench/README-webhook.md); several instances of webhook-serve
     * on one database are the way to more lanes.
     */
    static final int LANES = 1;

    /** The most deliveries one transaction takes (the server lets at most its --threads work at once anyway). */
    static final int MAX_GROUP = 64;

    /**
     * Transactions of one lane in flight at once: one committing (its WAL flush) while the next group's statements
     * run, on a second thread and connection. The next group is taken only once the previous one's statements are
     * done, so its row locks queue behind the previous group's (arrival order per subscription holds) and the
     * committing transaction waits for nothing but its flush (no deadlock between the two).
     */
    static final int OVERLAP = 2;

    private record Pending(StripeEvent event, CompletableFuture<EventProcessor.Answer> answer) {}

    /** A lane's queue, and its turn: the right to take the next group (passed on once a group's statements are done). */
    private record Lane(LinkedBlockingQueue<Pending> queue, Semaphore turn) {}

    private final EventProcessor processor;
    private final List<Lane> lanes = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    GroupCommit(EventProcessor processor, int lanes) {
        this.processor = processor;
        for (int i = 0; i < lanes; i++) {
            Lane lane = new Lane(new LinkedBlockingQueue<>(), new Semaphore(1));
            this.lanes.add(lane);
            for (int k = 0; k < OVERLAP; k++) {
                String name = "webhook-commit-" + (i + 1) + "-" + (k + 1);
                Thread t = new Thread(() -> work(lane), name);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }
    }

    /**
     * Processes one delivery with the others of its group; returns once its transaction committed (or, when
     * the group's failed, once it was processed alone).
     *
     * @throws EventProcessor.Unavailable the database cannot be reached (503)
     */
    EventProcessor.Result process(StripeEvent event) {
        Pending p = new Pending(event, new CompletableFuture<>());
        String key = event.objectId() != null ? event.objectId() : event.id();
        lanes.get(Math.floorMod(key.hashCode(), lanes.size())).queue().add(p);
        if (closed) {
            drain(); // closed meanwhile: nobody else takes it
        }
        return p.answer().join().get();
    }

    private void work(Lane lane) {
        List<Pending> group = new ArrayList<>();
        List<StripeEvent> events = new ArrayList<>();
        while (!closed) {
            try {
                lane.turn().acquire();
            } catch (InterruptedException e) {
                break;
            }
            AtomicBoolean passed = new AtomicBoolean();
            Runnable pass = () -> {
                if (passed.compareAndSet(false, true)) {
                    lane.turn().release();
                }
            };
            try {
                try {
                    group.add(lane.queue().take());
                } catch (InterruptedException e) {
                    break;
                }
                lane.queue().drainTo(group, MAX_GROUP - 1);
                group.forEach(p -> events.add(p.event()));
                try {
                    List<EventProcessor.Answer> answers = processor.processTogether(events, pass);
                    pass.run();
                    for (int i = 0; i < group.size(); i++) {
                        group.get(i).answer().complete(answers.get(i));
                    }
                } catch (RuntimeException | Error e) {
                    pass.run();
                    RuntimeException failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                    group.forEach(p -> p.answer().complete(new EventProcessor.Answer(null, failure)));
                }
            } finally {
                pass.run();
                group.clear();
                events.clear();
            }
        }
        drain();
    }

    /** Deliveries still queued after the close: not stored, the sender retries. */
    private void drain() {
        for (Lane lane : lanes) {
            for (Pending p; (p = lane.queue().poll()) != null;) {
                p.answer().complete(new EventProcessor.Answer(null,
                        new EventProcessor.Unavailable(new IllegalStateException("webhook-serve is stopping"))));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        threads.forEach(Thread::interrupt);
    }
}
