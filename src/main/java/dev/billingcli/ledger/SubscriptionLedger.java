package dev.billingcli.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.Plan;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.store.SubscriptionStore.Stored;
import dev.billingcli.store.Tx;
import dev.billingcli.subscription.ScheduledChange;
import dev.billingcli.subscription.StateChange;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.subscription.SubscriptionOrdering;
import dev.billingcli.subscription.SubscriptionStatus;
import dev.billingcli.subscription.SubscriptionOrdering.Decision;
import dev.billingcli.subscription.SubscriptionOrdering.Held;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one write path for subscription state, and for what moves with it (the account link, credits,
 * the audit row). Whatever told us about a subscription — a webhook event in any order, Stripe's
 * answer to a support action, a sync page, a replay — lands here, inside the caller's transaction:
 * <ol>
 *   <li>lock the row (events of one subscription apply one at a time, across threads and instances);</li>
 *   <li>link the account (the row's, else the customer's, else {@code metadata.account_id});</li>
 *   <li>the ordering rule ({@link SubscriptionOrdering} for events; Stripe's clock for answers and pages);</li>
 *   <li>the guarded replace (the SQL refuses a state older than the one held);</li>
 *   <li>the audit row for a support action.</li>
 * </ol>
 */
public final class SubscriptionLedger {
    /** What happened to the row. */
    public enum Kind {
        /** The row was inserted. */
        CREATED,
        /** The row took the reported state. */
        UPDATED,
        /** The reported state is the one held (nothing written). */
        UNCHANGED,
        /** The row holds a newer state: the report is kept as history only. */
        STALE
    }

    /** @param note why (stale, settled how), or null */
    public record Result(Kind kind, Subscription before, Subscription after, String accountId, String note) {
        public boolean written() {
            return kind == Kind.CREATED || kind == Kind.UPDATED;
        }
    }

    /**
     * One report of a subscription's full state.
     *
     * @param sourceId what the row records as its last source: an event id, or {@code cancel:req_…}, {@code sync:req_…}
     * @param asOf when Stripe held this state (the event's {@code created}, an answer's Date header)
     * @param change the event, for the same-second ordering; null for answers and pages
     */
    public record Report(JsonNode object, String sourceId, Instant asOf, StateChange change) {
        public static Report of(StateChange event) {
            return new Report(event.object(), event.id(), event.created(), event);
        }

        /** Stripe's answer to a request (a support action, a retrieve, a list page), at the answer's time. */
        public static Report answer(String source, String requestId, Instant asOf, JsonNode object) {
            return new Report(object, source + ":" + requestId, asOf, null);
        }
    }

    /**
     * Who changed a subscription through a support command, for the audit log.
     *
     * @param before what the audit row's before shows besides the subscription's fields (what the row has no
     *     column for, such as its discounts), or null; @param after likewise for after
     */
    public record Audit(String actor, String command, String reason, Map<String, Object> before, Map<String, Object> after) {
        public Audit(String actor, String command, String reason) {
            this(actor, command, reason, null, null);
        }
    }

    private final Catalog catalog;
    private final Function<String, Optional<JsonNode>> fetch;

    /** @param fetch a subscription's current state from Stripe (same-second ties), or null without a Stripe key */
    public SubscriptionLedger(Catalog catalog, Function<String, Optional<JsonNode>> fetch) {
        this.catalog = catalog;
        this.fetch = fetch;
    }

    /** The subscription as Stripe has it now; empty without a Stripe key. */
    public Optional<JsonNode> fetch(String subscriptionId) {
        return fetch == null ? Optional.empty() : fetch.apply(subscriptionId);
    }

    public Subscription read(JsonNode stripeObject) {
        return Subscription.fromStripe(stripeObject, catalog::planOfLookupKey);
    }

    public Result apply(Tx tx, Report report) {
        return apply(tx, report, null);
    }

    /** Applies a reported state; with an audit, the change is also written to the audit log (before and after). */
    public Result apply(Tx tx, Report report, Audit audit) {
        return apply(tx, report, audit, null);
    }

    /**
     * {@link #apply(Tx, Report, Audit)} for Stripe's answer to a support action that set up a subscription
     * schedule: the change it makes at the renewal goes with the state (the subscription object names only
     * the schedule).
     */
    public Result apply(Tx tx, Report report, Audit audit, dev.billingcli.subscription.ScheduledChange scheduled) {
        Subscription incoming = read(report.object());
        if (scheduled != null && incoming.scheduleId() != null) {
            incoming = incoming.withScheduledChange(scheduled);
        }
        Stored stored = tx.subscriptions().lock(incoming.id()).orElse(null);
        // a row already linked to its account spares the customer look-up: a subscription's customer
        // never changes, and a customer's link is never undone
        String linked = stored == null ? null : stored.subscription().accountId();
        String account = linked != null ? linked
                : accountOf(tx, incoming.customerId(), metadataAccount(report.object()));
        return apply(tx, report, audit, incoming.withAccount(account), stored);
    }

    /**
     * A page of Stripe's answers (sync): each as {@link #apply(Tx, Report)} would, in a few statements for
     * the page instead of several for each row. The page's rows are locked and read in one query; the customers
     * of those not linked yet are looked up in one and linked by metadata in one batch; the rows that exist go
     * through the same ordering rule and guard, their writes deferred to one statement; the new rows are inserted
     * in one. A new row that another transaction inserted meanwhile goes the way of {@link #apply} after all.
     *
     * @return one result for each report, in the page's order
     */
    public List<Result> applyPage(Tx tx, List<Report> page) {
        List<Subscription> incoming = page.stream().map(r -> read(r.object())).toList();
        List<String> ids = incoming.stream().map(Subscription::id).toList();
        if (page.isEmpty()) {
            return List.of();
        }
        if (new java.util.HashSet<>(ids).size() < ids.size() || page.stream().anyMatch(r -> r.change() != null)) {
            return page.stream().map(r -> apply(tx, r)).toList(); // a subscription twice in one page: one after the other
        }
        SubscriptionStore rows = tx.subscriptions();
        rows.lockAhead(ids);
        List<Stored> stored = ids.stream().map(id -> rows.lock(id).orElse(null)).toList();
        // the account of each customer whose row is not linked yet; metadata links the unknown ones (first one named wins)
        Map<String, String> named = new LinkedHashMap<>();
        java.util.Set<String> customers = new java.util.HashSet<>();
        for (int i = 0; i < page.size(); i++) {
            String customer = incoming.get(i).customerId();
            if (customer != null && (stored.get(i) == null || stored.get(i).subscription().accountId() == null)) {
                customers.add(customer);
                String metadata = metadataAccount(page.get(i).object());
                if (metadata != null) {
                    named.putIfAbsent(customer, metadata);
                }
            }
        }
        Map<String, String> accounts = new java.util.HashMap<>(tx.accounts().accountsOfCustomers(customers));
        named.keySet().removeAll(accounts.keySet());
        tx.accounts().linkCustomers(named);
        accounts.putAll(named);

        // new rows of the page's answer go in one insert; the others (and a row inserted meanwhile) one by one
        Report first = page.get(0);
        Result[] results = new Result[page.size()];
        Map<Integer, Subscription> fresh = new LinkedHashMap<>();
        for (int i = 0; i < page.size(); i++) {
            Stored row = stored.get(i);
            Report r = page.get(i);
            String linked = row == null ? null : row.subscription().accountId();
            Subscription s = incoming.get(i).withAccount(linked != null ? linked : accounts.get(incoming.get(i).customerId()));
            if (row == null && r.asOf().equals(first.asOf()) && r.sourceId().equals(first.sourceId())) {
                fresh.put(i, s);
            } else {
                results[i] = apply(tx, r, null, s, row);
            }
        }
        java.util.Set<String> inserted = rows.insertAllIfAbsent(List.copyOf(fresh.values()), first.asOf(), first.sourceId());
        fresh.forEach((i, s) -> results[i] = inserted.contains(s.id()) ? new Result(Kind.CREATED, null, s, s.accountId(), null)
                : apply(tx, page.get(i), null, s, null));
        // what arrived for these customers before their link (as link() files it), after the rows the link names
        rows.linkAccounts(named);
        tx.purchases().linkAccounts(named);
        rows.flush(); // the replaced rows' states, before the caller commits
        return List.of(results);
    }

    private Result apply(Tx tx, Report report, Audit audit, Subscription incoming, Stored stored) {
        String account = incoming.accountId();
        if (stored == null) {
            if (tx.subscriptions().insertIfAbsent(incoming, report.asOf(), report.sourceId())) {
                return audited(tx, audit, new Result(Kind.CREATED, null, incoming, account, null));
            }
            stored = tx.subscriptions().lock(incoming.id()).orElseThrow(); // inserted meanwhile
        }
        Subscription before = stored.subscription();
        if (before.accountId() != null) {
            account = before.accountId();
            incoming = incoming.withAccount(account);
        }
        incoming = keepNewerSchedule(tx, before, carryOver(before, incoming), report.asOf());
        Held held = new Held(stored.lastEventId(), stored.lastEventCreated());
        if (report.change() == null) {
            if (held.lastEventCreated() != null && report.asOf().isBefore(held.lastEventCreated())) {
                return audited(tx, audit, new Result(Kind.STALE, before, before, account, "the database holds a newer state ("
                        + held.lastEventId() + ")"));
            }
            if (before.differences(incoming).isEmpty() && java.util.Objects.equals(before.accountId(), incoming.accountId())) {
                return audited(tx, audit, new Result(Kind.UNCHANGED, before, before, account, null));
            }
            replace(tx, incoming, report.asOf(), report.sourceId());
            return audited(tx, audit, new Result(Kind.UPDATED, before, incoming, account, null));
        }
        StateChange e = report.change();
        Decision d = SubscriptionOrdering.decide(held, e, () -> tx.events().sameSecond(e.objectId(), e.created(), e.id()), fetch,
                object -> before.differences(read(object)).isEmpty());
        if (d.keep()) {
            Kind kind = e.id().equals(held.lastEventId()) ? Kind.UNCHANGED : Kind.STALE;
            return new Result(kind, before, before, account, d.note());
        }
        Subscription state = keepNewerSchedule(tx, before, carryOver(before, d.state() == e.object() ? incoming
                : read(d.state()).withAccount(account)), e.created());
        replace(tx, state, e.created(), d.eventId());
        if (!d.eventId().equals(e.id())) {
            // same second: an event stored earlier turned out to be the newest; its state is restored
            tx.events().setOutcome(d.eventId(), "applied");
            return new Result(Kind.STALE, before, state, account, d.note());
        }
        return new Result(Kind.UPDATED, before, state, account, d.note());
    }

    // ------------------------------------------------------------------ subscription schedules

    /**
     * A {@code subscription_schedule.*} event (a schedule made, changed or released in the Dashboard, or by
     * {@code change-plan}): the subscription's schedule and the change its next phase makes. A running schedule
     * (not_started, active) sets them; a released, canceled or completed one clears them if it is the subscription's.
     * Ordering: nothing older than the subscription's own newest event (which names its schedule) nor than the newest
     * schedule event applied; within one second a schedule event without a next phase (Stripe's
     * {@code from_subscription} answer before its phases are set) does not erase the change known for that schedule.
     *
     * @return null when the schedule names no subscription
     */
    public Result schedule(Tx tx, JsonNode schedule, Instant created, String eventId) {
        String scheduleId = schedule.path("id").asText();
        String status = schedule.path("status").asText("");
        boolean running = status.equals("active") || status.equals("not_started");
        String subscriptionId = Subscription.idOf(schedule.path("subscription"));
        if (subscriptionId == null) {
            subscriptionId = Subscription.idOf(schedule.path("released_subscription"));
        }
        if (subscriptionId == null) {
            return null;
        }
        Stored stored = tx.subscriptions().lock(subscriptionId).orElseThrow(() -> new IllegalStateException("schedule " + scheduleId
                + " is of subscription " + schedule.path("subscription").asText(schedule.path("released_subscription").asText())
                + ", not known yet (Stripe delivers this event again; or run 'billing events replay --failed')"));
        Subscription before = stored.subscription();
        String account = before.accountId();
        Instant scheduleAsOf = tx.subscriptions().scheduleAsOf(subscriptionId).orElse(null);
        if (stored.lastEventCreated() != null && created.isBefore(stored.lastEventCreated())) {
            return new Result(Kind.STALE, before, before, account, "the subscription's newer state (" + stored.lastEventId()
                    + ") says which schedule it has");
        }
        if (scheduleAsOf != null && created.isBefore(scheduleAsOf)) {
            return new Result(Kind.STALE, before, before, account, "a newer event of the subscription's schedule is held");
        }
        String nextId;
        ScheduledChange change;
        if (running) {
            nextId = scheduleId;
            change = nextPhase(schedule, before);
            boolean sameSecond = !created.isAfter(stored.lastEventCreated() != null ? stored.lastEventCreated() : created)
                    || (scheduleAsOf != null && !created.isAfter(scheduleAsOf));
            if (change == null && scheduleId.equals(before.scheduleId()) && before.scheduledChange() != null && sameSecond) {
                return new Result(Kind.UNCHANGED, before, before, account, "same second: the change known for " + scheduleId + " stays");
            }
        } else if (scheduleId.equals(before.scheduleId())) {
            nextId = null;
            change = null;
        } else {
            return new Result(Kind.UNCHANGED, before, before, account, scheduleId + " (" + status + ") is not the schedule of " + subscriptionId);
        }
        Subscription after = before.withSchedule(nextId, change);
        tx.subscriptions().setSchedule(subscriptionId, nextId, change, created);
        if (java.util.Objects.equals(before.scheduleId(), after.scheduleId())
                && java.util.Objects.equals(before.scheduledChange(), after.scheduledChange())) {
            return new Result(Kind.UNCHANGED, before, before, account, null);
        }
        return new Result(Kind.UPDATED, before, after, account, null);
    }

    /**
     * The change the schedule's next phase makes: its first item's plan (an expanded price's lookup key, else the phase's
     * {@code billing_plan} metadata, which {@code change-plan} sets, else the subscription's own plan when the price is
     * its own), cycle, quantity, and when it starts. Null when no phase follows the current one. A price billing does
     * not know gives a change with no plan (status says so).
     */
    ScheduledChange nextPhase(JsonNode schedule, Subscription current) {
        JsonNode currentPhase = schedule.path("current_phase");
        if (!currentPhase.isObject()) {
            return null;
        }
        long currentEnd = currentPhase.path("end_date").asLong();
        for (JsonNode phase : schedule.path("phases")) {
            if (phase.path("start_date").asLong() < currentEnd) {
                continue;
            }
            JsonNode item = phase.path("items").path(0);
            JsonNode price = item.path("price");
            String priceId = Subscription.idOf(price);
            String plan = price.isObject() ? catalog.planOfLookupKey(price.path("lookup_key").asText("")).orElse(null) : null;
            String cycle = text(phase.path("metadata"), "billing_cycle");
            if (plan == null) {
                plan = text(phase.path("metadata"), "billing_plan");
            }
            if (plan == null && priceId != null && priceId.equals(current.priceId())) {
                plan = current.planId();
            }
            if (cycle == null && price.isObject()) {
                cycle = cycleOf(price.path("recurring").path("interval").asText(null));
            }
            if (cycle == null && priceId != null && priceId.equals(current.priceId())) {
                cycle = cycleOf(current.interval());
            }
            int quantity = item.path("quantity").isNumber() ? item.path("quantity").asInt() : 1;
            return new ScheduledChange(plan, cycle, quantity, Instant.ofEpochSecond(phase.path("start_date").asLong()));
        }
        return null;
    }

    /** {@code pro monthly × 1 from 2026-12-31T10:00:00Z}; a price billing does not know says so. */
    public static String describe(ScheduledChange c) {
        return (c.planId() != null ? c.planId() : "a price not in plans.yaml") + (c.cycle() != null ? " " + c.cycle() : "") + " × "
                + c.quantity() + " from " + (c.at() != null ? c.at().toString() : "the period end (date unknown)");
    }

    private static String cycleOf(String interval) {
        return interval == null ? null : interval.equals("year") ? "yearly" : interval.equals("month") ? "monthly" : null;
    }

    private static String text(JsonNode node, String field) {
        String v = node.path(field).asText(null);
        return v == null || v.isBlank() ? null : v;
    }

    /**
     * What the row keeps that Stripe's object does not say. While collection stays paused, the paid-until
     * of the pause is the one first seen: Stripe renews the
     * period during a pause (the invoice voided, kept as a draft or uncollectible), and that unpaid period
     * must not extend access. A state without a pause has none.
     */
    static Subscription carryOver(Subscription before, Subscription next) {
        if (next.pauseBehavior() != null && before != null && before.pauseBehavior() != null && before.pausePaidUntil() != null) {
            next = next.withPausePaidUntil(before.pausePaidUntil());
        }
        // likewise the change a schedule makes at the renewal, while the subscription keeps that schedule
        if (next.scheduledChange() == null && before != null && next.scheduleId() != null && next.scheduleId().equals(before.scheduleId())) {
            next = next.withScheduledChange(before.scheduledChange());
        }
        return next;
    }

    /**
     * A subscription event older than the newest schedule event applied does not undo it: the schedule columns stay
     * (the schedule event released the schedule, or set up a newer one, after the state this event carries).
     */
    private static Subscription keepNewerSchedule(Tx tx, Subscription before, Subscription next, Instant at) {
        if (java.util.Objects.equals(before.scheduleId(), next.scheduleId())) {
            return next;
        }
        Instant scheduleAsOf = tx.subscriptions().scheduleAsOf(before.id()).orElse(null);
        return scheduleAsOf != null && at.isBefore(scheduleAsOf) ? next.withSchedule(before.scheduleId(), before.scheduledChange()) : next;
    }

    private static void replace(Tx tx, Subscription s, Instant asOf, String sourceId) {
        if (!tx.subscriptions().replace(s, asOf, sourceId)) {
            throw new IllegalStateException("the ordering guard refused a state the ordering rule chose");
        }
    }

    private static Result audited(Tx tx, Audit audit, Result r) {
        if (audit != null) {
            tx.audit().record(audit.actor(), audit.command(), r.accountId(), audit.reason(), with(summary(r.before()), audit.before()),
                    with(summary(r.after()), audit.after()));
        }
        return r;
    }

    private static Map<String, Object> with(Map<String, Object> summary, Map<String, Object> extra) {
        if (extra == null) {
            return summary;
        }
        Map<String, Object> m = summary == null ? new LinkedHashMap<>() : new LinkedHashMap<>(summary);
        m.putAll(extra);
        return m;
    }

    private static String metadataAccount(JsonNode subscription) {
        String fromSubscription = subscription.path("metadata").path(ACCOUNT_ID).asText(null);
        if (fromSubscription != null && !fromSubscription.isBlank()) {
            return fromSubscription;
        }
        // sync expands the customer: its metadata names the account when checkout made it
        String fromCustomer = subscription.path("customer").path("metadata").path(ACCOUNT_ID).asText(null);
        return fromCustomer == null || fromCustomer.isBlank() ? null : fromCustomer;
    }

    /** The metadata key checkout sets on customers and subscriptions. */
    public static final String ACCOUNT_ID = "account_id";

    // ------------------------------------------------------------------ status changes without a full state

    /**
     * A status change an invoice event reports (paid: past_due → active; failed: active → past_due):
     * applied only when the event is strictly newer than the state held, and only from the given statuses.
     */
    public boolean invoiceStatus(Tx tx, String subscriptionId, List<SubscriptionStatus> from, SubscriptionStatus to, Instant created,
            String eventId) {
        return tx.subscriptions().changeStatus(subscriptionId, from.stream().map(SubscriptionStatus::wire).toList(), to.wire(), created, eventId);
    }

    /**
     * A subscription row from a checkout session alone, before any state from Stripe (a pending payment,
     * or no key to fetch the state). It never replaces a state that came from Stripe.
     */
    public void fromCheckout(Tx tx, String subscriptionId, String customerId, String accountId, String planId, SubscriptionStatus status) {
        tx.subscriptions().recordFromCheckout(subscriptionId, customerId, accountId, planId, status.wire());
    }

    /** Ends a pending checkout payment on a row that no state from Stripe has replaced yet. */
    public boolean settlePending(Tx tx, String subscriptionId, SubscriptionStatus status) {
        return tx.subscriptions().settlePending(subscriptionId, status.wire());
    }

    // ------------------------------------------------------------------ accounts

    /**
     * The account of a customer; an account named in metadata ({@code account_id}) is linked when the
     * customer is not yet. Null when unknown: the row is kept and linked when checkout names it.
     */
    public String accountOf(Tx tx, String customerId, String metadataAccount) {
        String known = tx.accounts().accountOfCustomer(customerId).orElse(null);
        if (known != null || metadataAccount == null || metadataAccount.isBlank()) {
            return known;
        }
        link(tx, metadataAccount, customerId, null);
        return metadataAccount;
    }

    /**
     * Links account and customer (an account keeps the first customer it was linked to), and files
     * everything of that customer that arrived before the link; keeps the email when one is given.
     */
    public void link(Tx tx, String accountId, String customerId, String email) {
        tx.accounts().linkCustomer(accountId, customerId);
        if (email != null && !email.isBlank()) {
            tx.accounts().setEmail(accountId, email);
        }
        if (customerId != null) {
            tx.subscriptions().linkAccount(customerId, accountId);
            tx.purchases().linkAccount(customerId, accountId);
        }
    }

    // ------------------------------------------------------------------ credits

    /**
     * A paid invoice that starts a period (the first one, a trial's €0 one included, and each renewal)
     * resets the account's credits to the plan's amount, once per invoice however many events report it.
     *
     * @return true when credits moved now
     */
    public boolean startPeriod(Tx tx, String accountId, Plan plan, String invoiceId, String billingReason) {
        return tx.credits().resetTo(accountId, plan.credits(), billingReason + " " + plan.id(), "invoice:" + invoiceId);
    }

    /** A paid one-time purchase adds the plan's credits, once per checkout session. */
    public boolean grantPurchase(Tx tx, String accountId, Plan plan, String checkoutSessionId) {
        return tx.credits().grant(accountId, plan.credits(), "purchase of " + plan.id(), "checkout:" + checkoutSessionId);
    }

    // ------------------------------------------------------------------ audit

    /** The fields of a subscription an audit row shows before and after a change. */
    public static Map<String, Object> summary(Subscription s) {
        if (s == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subscription", s.id());
        m.put("status", s.status());
        m.put("plan", s.planId());
        m.put("cancel_at_period_end", s.cancelAtPeriodEnd());
        m.put("cancel_at", s.cancelAt() == null ? null : s.cancelAt().toString());
        m.put("current_period_end", s.currentPeriodEnd() == null ? null : s.currentPeriodEnd().toString());
        m.put("pause_collection", s.pauseBehavior() == null ? null : s.pauseBehavior());
        m.put("pause_resumes_at", s.pauseResumesAt() == null ? null : s.pauseResumesAt().toString());
        m.put("price", s.priceLookupKey() != null ? s.priceLookupKey() : s.priceId());
        m.put("quantity", s.quantity());
        m.put("schedule", s.scheduleId());
        ScheduledChange c = s.scheduledChange();
        m.put("scheduled_change", c == null ? null : describe(c));
        return m;
    }
}
