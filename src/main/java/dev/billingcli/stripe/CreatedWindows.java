package dev.billingcli.stripe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.billingcli.BillingException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads a whole Stripe list (newest first, {@code created} descending) with several requests in flight:
 * the list is cut into half-open windows of {@code created} seconds, {@code [gte, lt)}, and each window
 * is paged with {@code starting_after}. Whenever a reader would idle, a window that has more (its page
 * said {@code has_more}) gives the older part of what is left to new windows: what is left,
 * {@code [gte, last]} (the last object read was created in second {@code last}), is cut into parts; the
 * newest keeps the window's upper bound and its cursor, the older ones are fresh windows (adaptive
 * bisection, as many parts as readers would idle, down to one second; a one-second window is only paged). Windows
 * never overlap and each is paged to its end, so every object is read exactly once, however many share
 * one second, and only the last page of a window is not full.
 *
 * <p>Pages go to a few writer threads through one bounded queue: memory holds at most the readers' pages and
 * the queue's, whatever the list's length. Each page comes with the windows that replace its own once it
 * is written (none when the window is done), so a writer that records them in the page's transaction can
 * resume after a crash exactly where it stopped. A window's page is queued only once its previous page is
 * written (it is read meanwhile), and a window split off is handed to the readers only after the page that
 * made it is written: a window is always recorded before any of its pages, its pages in order.
 */
public final class CreatedWindows {
    /**
     * A half-open window of {@code created} seconds.
     *
     * @param lt null for no upper bound
     * @param startingAfter the last object read in this window, null before the first page
     */
    public record Window(long gte, Long lt, String startingAfter) {
        /** The whole list. */
        public static Window all() {
            return new Window(0, null, null);
        }
    }

    /**
     * One page as Stripe answered it, for the writer.
     *
     * @param body Stripe's JSON list, parsed by the writer (a string is a fraction of a parsed tree's size)
     * @param next the windows that replace {@code window} once this page is written; empty when it is done
     */
    public record Batch(Window window, String body, int count, Instant asOf, String requestId, List<Window> next) {}

    /** What one list request answered: the body and what paging needs of it. */
    record RawPage(String body, Instant asOf, String requestId) {}

    /**
     * One list request for a window (through {@link StripeAccess}, its rate limiter and retries); an urgent one
     * goes ahead of the others waiting for the rate limit.
     */
    @FunctionalInterface
    interface Lister {
        RawPage list(Window window, int limit, boolean urgent);
    }

    /**
     * Writes one page. Called from several writer threads at once (each page its own transaction); the pages
     * of one window in the order read.
     */
    @FunctionalInterface
    public interface Writer {
        void write(Batch batch);
    }

    /** @param requests list requests sent (Stripe's 429s that were sent again are not counted twice) */
    public record Result(int requests, int pages, int windows) {}

    static final int PAGE = CatalogGateway.PAGE;
    /** At most this many windows are cut at once from one window's rest. */
    static final int MAX_FAN_OUT = 16;

    private final Lister lister;
    private final int readers;
    private final BlockingQueue<Queued> queue;
    private final int writers;
    private final AtomicInteger written = new AtomicInteger();
    private final LinkedBlockingDeque<Window> todo = new LinkedBlockingDeque<>();
    /** Windows not finished: queued, being read, or with a page not yet handed to the writer. */
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger reading = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger windows = new AtomicInteger();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    /**
     * @param writers threads calling the writer (each page in its own transaction, so they may overlap)
     * @param queued pages waiting for a writer
     */
    CreatedWindows(Lister lister, int readers, int writers, int queued) {
        this.lister = lister;
        this.readers = readers;
        this.writers = writers;
        this.queue = new ArrayBlockingQueue<>(queued);
    }

    /** A page waiting for a writer, and what its reader waits on before queueing the window's next page. */
    private record Queued(Batch batch, java.util.concurrent.CompletableFuture<Void> written) {}

    /**
     * Reads every window (and what they split into) and hands each page to {@code writer}; returns when all
     * are read and written. A failure of a reader or of the writer stops the others and is thrown.
     */
    Result run(List<Window> start, Writer writer) {
        if (start.isEmpty()) {
            return new Result(0, 0, 0);
        }
        open.addAndGet(start.size());
        windows.addAndGet(start.size());
        todo.addAll(start);
        ExecutorService pool = Executors.newFixedThreadPool(readers + writers, r -> {
            Thread t = new Thread(r, "stripe-list");
            t.setDaemon(true);
            return t;
        });
        try {
            List<java.util.concurrent.Future<?>> writing = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                writing.add(pool.submit(() -> write(writer)));
            }
            for (int i = 0; i < readers; i++) {
                pool.execute(this::readWindows);
            }
            for (java.util.concurrent.Future<?> w : writing) {
                w.get();
            }
            if (failure.get() != null) {
                throw failure.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BillingException.serviceFailed("interrupted while reading Stripe's list", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw failure.get() != null ? failure.get() : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
            // a request in flight is answered or times out (30 s) before the command goes on: nothing of this read is
            // sent after it has returned (the shell runs the next command in the same process)
            try {
                if (!pool.awaitTermination(35, TimeUnit.SECONDS)) {
                    failure.compareAndSet(null, new IllegalStateException("Stripe list readers did not stop"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new Result(requests.get(), written.get(), windows.get());
    }

    /** One writer: pages from the shared queue; a page's split-off windows go to the readers once it is written. */
    private void write(Writer writer) {
        Queued q = null;
        try {
            while (failure.get() == null) {
                q = queue.poll(50, TimeUnit.MILLISECONDS);
                if (q != null) {
                    Batch b = q.batch();
                    writer.write(b);
                    written.incrementAndGet();
                    for (int i = 1; i < b.next().size(); i++) {
                        todo.addFirst(b.next().get(i)); // recorded with the page: now its own pages may follow
                    }
                    q.written().complete(null);
                } else if (open.get() == 0 && queue.isEmpty()) { // every page is queued before its window closes
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            if (q != null) {
                q.written().completeExceptionally(e);
            }
        }
    }

    private void readWindows() {
        try {
            while (failure.get() == null && open.get() > 0) {
                Window w = todo.poll(50, TimeUnit.MILLISECONDS);
                if (w == null) {
                    continue;
                }
                reading.incrementAndGet();
                try {
                    page(w);
                } finally {
                    reading.decrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the writer stopped us
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Pages one window to its end, giving away its older part whenever readers would idle. */
    private void page(Window w) throws InterruptedException {
        java.util.concurrent.CompletableFuture<Void> previous = java.util.concurrent.CompletableFuture.completedFuture(null);
        boolean dense = false;
        while (failure.get() == null) { // after a failure, no further request
            RawPage raw = lister.list(w, PAGE, dense);
            requests.incrementAndGet();
            Scan scan = scan(raw.body());
            // a full page of one second: what follows is most likely more of that second, which no window can cut
            // (an import makes thousands in one second), so only one page after another reads it. That chain is
            // what the whole read waits for at the end: its requests go ahead of the others at the rate limit.
            dense = scan.count() == PAGE && scan.firstCreated() == scan.lastCreated();
            List<Window> next = new ArrayList<>();
            if (scan.hasMore() && scan.count() > 0) {
                long last = scan.lastCreated();
                int fanOut = Math.min(MAX_FAN_OUT, readers - reading.get() + 1 - todo.size());
                if (dense) {
                    fanOut = Math.max(fanOut, 2); // the chain keeps that second alone; what is older goes to other readers
                }
                if (fanOut >= 2 && last > w.gte()) {
                    // [gte, last] holds the rest. The window keeps its cursor and upper bound over the newest
                    // part, as many seconds as this page spanned; older parts double in length (data is
                    // usually densest near what was just read, and the oldest part, down to gte, is often
                    // empty), the last one reaching down to gte.
                    long span = Math.max(1, scan.firstCreated() - last + 1);
                    long lo = Math.max(w.gte(), last + 1 - span);
                    next.add(new Window(lo, w.lt(), scan.lastId()));
                    for (int i = 1; i < fanOut && lo > w.gte(); i++) {
                        span = span > Long.MAX_VALUE / 4 ? span : span * 2;
                        long from = i == fanOut - 1 ? w.gte() : Math.max(w.gte(), lo - span);
                        next.add(new Window(from, lo, null));
                        lo = from;
                    }
                } else {
                    next.add(new Window(w.gte(), w.lt(), scan.lastId()));
                }
            }
            if (next.size() > 1) {
                open.addAndGet(next.size() - 1);
                windows.addAndGet(next.size() - 1);
            }
            // the window's previous page first (read while it was being written; usually written by now)
            while (!previous.isDone()) {
                if (failure.get() != null) {
                    return;
                }
                try {
                    previous.get(50, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    // checked again above
                }
            }
            Queued q = new Queued(new Batch(w, raw.body(), scan.count(), raw.asOf(), raw.requestId(), List.copyOf(next)),
                    new java.util.concurrent.CompletableFuture<>());
            while (!queue.offer(q, 50, TimeUnit.MILLISECONDS)) {
                if (failure.get() != null) {
                    return;
                }
            }
            previous = q.written();
            if (next.isEmpty()) {
                open.decrementAndGet();
                return;
            }
            w = next.get(0);
        }
    }

    /** What paging needs of a list page, read without building its tree. */
    record Scan(int count, boolean hasMore, String lastId, long lastCreated, long firstCreated) {}

    private static final JsonFactory JSON = new JsonFactory();

    static Scan scan(String body) {
        int count = 0;
        boolean hasMore = false;
        String lastId = null;
        long lastCreated = 0;
        long firstCreated = 0;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("has_more")) {
                    hasMore = value == JsonToken.VALUE_TRUE;
                } else if (field.equals("data") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        count++;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            p.nextToken();
                            if (f.equals("id")) {
                                lastId = p.getText();
                            } else if (f.equals("created")) {
                                lastCreated = p.getLongValue();
                                if (count == 1) {
                                    firstCreated = lastCreated;
                                }
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw BillingException.serviceFailed("Stripe answered a list with something that is not a list: " + e.getMessage(), e);
        }
        return new Scan(count, hasMore, lastId, lastCreated, firstCreated);
    }
}
