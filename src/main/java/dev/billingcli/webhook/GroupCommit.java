package dev.billingcli.webhook;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit in the application: deliveries that arrive while a transaction is being written wait for
 * the next one and share it ({@link EventProcessor#processTogether}): one commit (one WAL flush) and a few
 * round trips for the group instead of four round trips and a commit for each. Nothing waits on purpose:
 * at one delivery at a time each goes alone, as before; under load the groups form by themselves.
 *
 * <p>No thread of its own: a request thread that finds no group being written takes everything queued
 * (its own delivery included) and writes it as the next group, on its database connection; the others
 * wait for their answer, or for their turn to lead when theirs came too late for that group. One group at
 * a time per instance: on 2 cores two at once (smaller groups, commits side by side) took 0.67 ms of CPU per
 * event against 0.49 and answered no more (bench/README-webhook.md); instances on one database still write
 * side by side, their guarantees resting on PostgreSQL's keys and row locks as before.
 */
final class GroupCommit {
    /** The most deliveries one transaction takes (the server lets at most its --threads work at once anyway). */
    static final int MAX_GROUP = 64;

    private record Pending(StripeEvent event, CompletableFuture<EventProcessor.Answer> answer) {}

    private final EventProcessor processor;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a group is done: its deliveries have their answers, and the next may lead. */
    private final Condition groupDone = lock.newCondition();
    private final ArrayDeque<Pending> queued = new ArrayDeque<>();
    private boolean writing;

    GroupCommit(EventProcessor processor) {
        this.processor = processor;
    }

    /**
     * Processes one delivery with the others of its group; returns once its transaction committed (or, when
     * the group's failed, once it was processed alone).
     *
     * @throws EventProcessor.Unavailable the database cannot be reached (503)
     */
    EventProcessor.Result process(StripeEvent event) {
        Pending mine = new Pending(event, new CompletableFuture<>());
        lock.lock();
        try {
            queued.add(mine);
        } finally {
            lock.unlock();
        }
        List<Pending> group = new ArrayList<>();
        while (!mine.answer().isDone()) {
            lock.lock();
            try {
                while (writing && !mine.answer().isDone()) {
                    groupDone.awaitUninterruptibly();
                }
                if (mine.answer().isDone()) {
                    break;
                }
                writing = true; // this thread writes the next group: what is queued, oldest first
                group.clear();
                for (Pending p; group.size() < MAX_GROUP && (p = queued.poll()) != null;) {
                    group.add(p);
                }
            } finally {
                lock.unlock();
            }
            try {
                write(group);
            } finally {
                lock.lock();
                try {
                    writing = false;
                    groupDone.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
        return mine.answer().join().get();
    }

    private void write(List<Pending> group) {
        try {
            List<EventProcessor.Answer> answers = processor.processTogether(group.stream().map(Pending::event).toList());
            for (int i = 0; i < group.size(); i++) {
                group.get(i).answer().complete(answers.get(i));
            }
        } catch (RuntimeException | Error e) {
            RuntimeException failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            group.forEach(p -> p.answer().complete(new EventProcessor.Answer(null, failure)));
            if (e instanceof Error error) {
                throw error;
            }
        }
    }
}
