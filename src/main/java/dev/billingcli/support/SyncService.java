package dev.billingcli.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.BillingException;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.store.Database;
import dev.billingcli.stripe.SubscriptionGateway;
import dev.billingcli.subscription.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.store.SyncRunStore;
import dev.billingcli.store.Tx;
import dev.billingcli.stripe.CreatedWindows;

/**
 * {@code billing sync}: repairs the database from Stripe after missed webhooks. Reads every
 * subscription ({@code status=all}, 100 a page, customers expanded so that the account link comes in
 * the same call) and writes each page in one transaction, in a few statements (see {@link SubscriptionLedger#applyPage}).
 * {@code --all} reads windows of {@code created}
 * in parallel at the process's Stripe rate, through a bounded queue to one writer (memory flat in the
 * number of subscriptions), and checkpoints each window with its page, so an interrupted run resumes;
 * one account's few pages are read one after another. Rows are written with the page's time on Stripe's clock, through the same
 * ordering guard as events, so a row that an event made newer meanwhile is left alone, and an old
 * event redelivered after the sync cannot take the row back.
 */
public final class SyncService {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    /** What happened to one subscription row. */
    public enum Kind { CREATED, UPDATED, UNCHANGED }

    /** @param accountId null when the customer is linked to no account (kept, counted as unlinked) */
    public record Change(Kind kind, String accountId, String subscriptionId, List<Subscription.Difference> differences) {}

    /**
     * @param pages pages written (a dry run: read)
     * @param windows windows of {@code created} the list was read in ({@code --all}; 1 for one account)
     * @param resumed whether this run continued an interrupted one ({@code --resume})
     */
    public record Counts(long created, long updated, long unchanged, long unlinked, int listRequests, int pages, int windows,
            boolean resumed) {
        public long total() {
            return created + updated + unchanged;
        }
    }

    /** {@code sync_runs.kind} of {@code sync --all}. */
    static final String RUN_KIND = "subscriptions";

    private final Database database;
    private final SubscriptionGateway stripe;
    private final SubscriptionLedger ledger;

    public SyncService(Catalog catalog, Database database, SubscriptionGateway stripe) {
        this.database = database;
        this.stripe = stripe;
        this.ledger = new SubscriptionLedger(catalog, null);
    }

    /**
     * @param accountId one account's subscriptions, or null for all
     * @param onChange every created or updated row (and unchanged ones), as it is written
     * @param onPage the number of subscriptions in each page read (progress)
     */
    public Counts sync(String accountId, boolean dryRun, Consumer<Change> onChange, java.util.function.IntConsumer onPage) {
        return sync(accountId, dryRun, false, onChange, onPage);
    }

    /**
     * @param resume {@code --all} only: continue the newest interrupted run where its checkpoints say (a
     *     full sync when there is none)
     */
    public Counts sync(String accountId, boolean dryRun, boolean resume, Consumer<Change> onChange, java.util.function.IntConsumer onPage) {
        if (accountId == null) {
            return syncAll(dryRun, resume, onChange, onPage);
        }
        String customer = null;
        if (accountId != null) {
            customer = database.read(tx -> tx.accounts().customerOf(accountId)).orElse(null);
            if (customer == null) {
                customer = stripe.findCustomer(accountId).orElseThrow(() -> BillingException.notFound(
                        "no Stripe customer for account " + accountId + " (in the database or by metadata.account_id)"));
            }
        }
        long[] counts = new long[4];
        int[] pages = {0};
        int requests = stripe.eachSubscriptionPage(customer, page -> {
            // a dry run goes the same way through the ledger, in a transaction that is rolled back
            List<Change> changes = dryRun ? database.rolledBack(tx -> apply(tx, page)) : database.inTransaction(tx -> apply(tx, page));
            count(changes, counts, onChange);
            pages[0]++;
            onPage.accept(page.subscriptions().size());
        });
        return new Counts(counts[0], counts[1], counts[2], counts[3], requests, pages[0], 1, false);
    }

    /**
     * Every subscription, read in windows of {@code created} with several requests in flight (see
     * {@link CreatedWindows}), each page written in one transaction together with its window's checkpoint:
     * after a crash or Ctrl-C, the checkpoints are exactly what is left, and {@code --resume} reads only
     * that. A dry run keeps no checkpoint.
     */
    private Counts syncAll(boolean dryRun, boolean resume, Consumer<Change> onChange, java.util.function.IntConsumer onPage) {
        List<CreatedWindows.Window> start = List.of(CreatedWindows.Window.all());
        long run = -1;
        boolean resumed = false;
        if (!dryRun) {
            SyncRunStore.Run interrupted = resume ? database.read(tx -> tx.syncRuns().unfinished(RUN_KIND)).orElse(null) : null;
            if (interrupted != null) {
                run = interrupted.id();
                start = database.read(tx -> tx.syncRuns().windows(interrupted.id())).stream()
                        .map(w -> new CreatedWindows.Window(w.gte(), w.lt(), w.startingAfter())).toList();
                resumed = true;
            } else {
                List<CreatedWindows.Window> all = start;
                run = database.inTransaction(tx -> tx.syncRuns().start(RUN_KIND, null, rows(all)));
            }
        }
        long runId = run;
        long[] counts = new long[4];
        CreatedWindows.Result read = stripe.eachSubscriptionWindowed(start, batch -> {
            SubscriptionGateway.Page page = new SubscriptionGateway.Page(data(batch.body()), batch.asOf(), batch.requestId());
            // pages are written by a few threads at once; two pages sharing a customer may wait for each other's
            // account row, and a deadlock between them is retried (the transaction wrote nothing)
            List<Change> changes = dryRun ? database.rolledBack(tx -> apply(tx, page)) : database.inTransactionRetryingConflicts(tx -> {
                List<Change> c = apply(tx, page);
                tx.syncRuns().advance(runId, batch.window().gte(), rows(batch.next()));
                return c;
            });
            synchronized (counts) { // one page's lines together, counts and callbacks one thread at a time
                count(changes, counts, onChange);
                onPage.accept(page.subscriptions().size());
            }
        });
        if (!dryRun) {
            database.useTransaction(tx -> tx.syncRuns().finish(runId, read.pages(), counts[0] + counts[1] + counts[2]));
        }
        return new Counts(counts[0], counts[1], counts[2], counts[3], read.requests(), read.pages(), read.windows(), resumed);
    }

    private static List<SyncRunStore.WindowRow> rows(List<CreatedWindows.Window> windows) {
        return windows.stream().map(w -> new SyncRunStore.WindowRow(w.gte(), w.lt(), w.startingAfter())).toList();
    }

    private static List<JsonNode> data(String listBody) {
        try {
            List<JsonNode> rows = new ArrayList<>();
            JSON.readTree(listBody).path("data").forEach(rows::add);
            return rows;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw BillingException.serviceFailed("Stripe answered a list with something that is not JSON", e);
        }
    }

    private static void count(List<Change> changes, long[] counts, Consumer<Change> onChange) {
        for (Change c : changes) {
            counts[c.kind().ordinal()]++;
            if (c.accountId() == null) {
                counts[3]++;
            }
            onChange.accept(c);
        }
    }

    /** The subscriptions the database holds now: what a repair sync will probably read (for an ETA). */
    public long known() {
        return database.read(tx -> tx.subscriptions().count());
    }

    /**
     * One page through the ledger's page write ({@link SubscriptionLedger#applyPage}), then the customers' emails
     * onto their accounts: the email of an account linked to that very customer, in one statement for the page.
     */
    List<Change> apply(Tx tx, SubscriptionGateway.Page page) {
        List<SubscriptionLedger.Report> reports = page.subscriptions().stream()
                .map(json -> SubscriptionLedger.Report.answer("sync", page.requestId(), page.asOf(), json)).toList();
        List<SubscriptionLedger.Result> results = ledger.applyPage(tx, reports);
        java.util.Map<String, String> linked = tx.accounts().customersOf(results.stream()
                .map(SubscriptionLedger.Result::accountId).filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toSet()));
        java.util.Map<String, String> emails = new java.util.TreeMap<>(); // account → email (the page's last one), in id order
        for (int i = 0; i < results.size(); i++) {
            SubscriptionLedger.Result r = results.get(i);
            String email = page.subscriptions().get(i).path("customer").path("email").asText(null);
            if (r.accountId() != null && email != null && !email.isBlank()
                    && r.after().customerId() != null && r.after().customerId().equals(linked.get(r.accountId()))) {
                emails.put(r.accountId(), email);
            }
        }
        tx.accounts().setEmails(emails);
        List<Change> changes = new ArrayList<>();
        for (SubscriptionLedger.Result r : results) {
            Kind kind = switch (r.kind()) {
                case CREATED -> Kind.CREATED;
                case UPDATED -> Kind.UPDATED;
                case UNCHANGED, STALE -> Kind.UNCHANGED;
            };
            List<Subscription.Difference> diffs = new ArrayList<>();
            if (kind == Kind.UPDATED) {
                diffs.addAll(r.before().differences(r.after()));
                if (r.after().accountId() != null && !r.after().accountId().equals(r.before().accountId())) {
                    diffs.add(new Subscription.Difference("account", r.before().accountId(), r.after().accountId()));
                }
            }
            changes.add(new Change(kind, r.accountId(), r.after().id(), diffs));
        }
        return changes;
    }
}
