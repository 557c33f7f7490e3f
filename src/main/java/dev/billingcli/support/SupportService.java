package dev.billingcli.support;

import dev.billingcli.BillingException;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.Cycle;
import dev.billingcli.catalog.Money;
import dev.billingcli.catalog.Plan;
import dev.billingcli.catalog.PlanPrice;
import dev.billingcli.store.AccountStore;
import dev.billingcli.store.CreditLedger;
import dev.billingcli.store.EventStore;
import dev.billingcli.store.Database;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.stripe.CatalogGateway;
import dev.billingcli.stripe.SubscriptionGateway;
import dev.billingcli.stripe.SubscriptionGateway.StripeState;
import dev.billingcli.subscription.EffectiveAccess;
import dev.billingcli.subscription.ScheduledChange;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.webhook.EventLog;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import dev.billingcli.ledger.SubscriptionLedger;
import dev.billingcli.store.Tx;

/**
 * The support actions on one account: checkout, portal, cancel, reactivate. Each Stripe write
 * carries an idempotency key and refuses a live key without {@code --live} ({@code StripeAccess});
 * Stripe's answer is written to the database at once, ordered against webhook events by the answer's
 * own time ({@link StripeState#asOf()}), so the webhook that follows confirms rather than informs;
 * and every write is recorded in the audit log.
 */
public final class SupportService {
    private final Catalog catalog;
    private final Database database;
    private final Supplier<SubscriptionGateway> stripe;
    private final String actor;
    private final SubscriptionLedger ledger;

    public SupportService(Catalog catalog, Database database, Supplier<SubscriptionGateway> stripe, String actor) {
        this.catalog = catalog;
        this.database = database;
        this.stripe = stripe;
        this.actor = actor;
        this.ledger = new SubscriptionLedger(catalog, null);
    }

    // ------------------------------------------------------------------ shared

    /** Statuses of a subscription that is still running (or about to): a second checkout would double-bill. */
    static boolean live(Subscription s) {
        return s != null && s.running();
    }

    private Subscription liveSubscription(Tx tx, String accountId, String forWhat) {
        tx.accounts().require(accountId);
        Subscription s = tx.subscriptions().currentOf(accountId).orElse(null);
        if (!live(s)) {
            throw BillingException.notFound(accountId + " has no running subscription" + (s != null ? " (the last one is " + s.status() + ")" : "")
                    + " to " + forWhat);
        }
        return s;
    }

    /** Writes Stripe's answer through the ledger (a newer state already held wins), with its audit row. */
    private Subscription store(Tx tx, StripeState answer, String source, SubscriptionLedger.Audit audit) {
        return ledger.apply(tx, SubscriptionLedger.Report.answer(source, answer.requestId(), answer.asOf(), answer.object()), audit).after();
    }

    private SubscriptionLedger.Audit audit(String command, String reason) {
        return new SubscriptionLedger.Audit(actor, command, reason);
    }

    // ------------------------------------------------------------------ checkout

    public enum Ui { HOSTED, EMBEDDED }

    /**
     * @param cycle null: monthly when the plan has it, else the plan's only price; @param trialDays null: the plan's
     * @param currency one of plans.yaml's currencies, or null to let Checkout choose from the customer's location
     */
    public record CheckoutRequest(String accountId, String planId, Cycle cycle, String email, Ui ui, Integer trialDays, int quantity,
            boolean promotionCodes, String successUrl, String cancelUrl, String returnUrl, boolean allowSecond, String currency) {}

    /** @param currency the currency asked for, or null; @param automaticTax Stripe Tax computes the tax (plans.yaml) */
    public record CheckoutResult(String sessionId, String url, String clientSecret, String mode, String customerId,
            boolean customerCreated, String priceId, PlanPrice price, int trialDays, String currency, boolean automaticTax) {}

    public CheckoutResult checkout(CheckoutRequest r) {
        Plan plan = catalog.plan(r.planId()).orElseThrow(() -> BillingException.invalid("unknown plan " + r.planId()
                + " (plans with prices: " + catalog.plans().values().stream().filter(p -> !p.prices().isEmpty()).map(Plan::id)
                        .collect(Collectors.joining(", ")) + ")"));
        if (plan.prices().isEmpty()) {
            throw BillingException.invalid("plan " + plan.id() + " is not sold through Stripe"
                    + (plan.contact() != null ? " (contact " + plan.contact() + ")" : " (it has no prices)"));
        }
        Cycle cycle = r.cycle() != null ? r.cycle() : plan.prices().containsKey(Cycle.MONTHLY) ? Cycle.MONTHLY
                : plan.prices().keySet().iterator().next();
        PlanPrice price = plan.price(cycle);
        if (price == null) {
            throw BillingException.invalid("plan " + plan.id() + " has no " + cycle.key() + " price (it has: "
                    + plan.prices().keySet().stream().map(Cycle::key).collect(Collectors.joining(", ")) + ")");
        }
        if (r.quantity() < 1) {
            throw BillingException.invalid("--quantity must be at least 1");
        }
        String currency = r.currency() == null ? null : r.currency().toLowerCase(java.util.Locale.ROOT);
        if (currency != null && !price.currencies().contains(currency)) {
            throw BillingException.invalid("--currency " + r.currency() + " is not one of plans.yaml's currencies ("
                    + String.join(", ", price.currencies()) + ")");
        }
        int trialDays = r.trialDays() != null ? r.trialDays() : cycle.recurring() ? plan.trialDays() : 0;
        if (trialDays < 0 || trialDays > 730) {
            throw BillingException.invalid("--trial-days must be between 0 and 730");
        }
        if (!cycle.recurring() && trialDays > 0) {
            throw BillingException.invalid("a one-time price has no trial");
        }
        String successUrl = r.successUrl() != null ? r.successUrl() : catalog.checkout().successUrl();
        String cancelUrl = r.cancelUrl() != null ? r.cancelUrl() : catalog.checkout().cancelUrl();
        String returnUrl = r.returnUrl() != null ? r.returnUrl() : catalog.checkout().returnUrl();
        if (r.ui() == Ui.HOSTED && successUrl == null) {
            throw BillingException.invalid("no success URL: pass --success-url or set checkout.success_url in plans.yaml");
        }
        if (r.ui() == Ui.EMBEDDED && returnUrl == null) {
            throw BillingException.invalid("no return URL: pass --return-url or set checkout.return_url in plans.yaml");
        }
        String existingCustomer = database.read(tx -> {
            if (cycle.recurring() && !r.allowSecond()) {
                Subscription current = tx.subscriptions().currentOf(r.accountId()).orElse(null);
                if (live(current)) {
                    throw BillingException.invalid(r.accountId() + " already has " + (current.status().matches("[aeiou].*") ? "an " : "a ") + current.status() + " subscription " + current.id()
                            + (current.planId() != null ? " (" + current.planId() + ")" : "") + ": change it with 'billing portal --account " + r.accountId()
                            + " --flow update', or pass --allow-second");
                }
            }
            return tx.accounts().customerOf(r.accountId()).orElse(null);
        });

        SubscriptionGateway gateway = stripe.get();
        gateway.access().checkWritesAllowed();
        CatalogGateway.StripePrice stripePrice = new CatalogGateway(gateway.access()).pricesByLookupKeys(List.of(price.lookupKey())).stream()
                .filter(p -> p.active() && price.lookupKey().equals(p.lookupKey())).findFirst()
                .orElseThrow(() -> BillingException.notFound("no active price with lookup key " + price.lookupKey()
                        + " in Stripe: run 'billing stripe:setup'"));
        if (currency != null && !currency.equals(stripePrice.currency()) && !stripePrice.currencyOptions().containsKey(currency)) {
            // plans.yaml has the currency, Stripe's price not yet: Stripe would refuse the session
            throw BillingException.notFound("the " + price.lookupKey() + " price in Stripe (" + stripePrice.id() + ") has no "
                    + currency.toUpperCase(java.util.Locale.ROOT) + " amount yet: run 'billing stripe:setup'");
        }
        String priceId = stripePrice.id();

        boolean created = false;
        String customer = existingCustomer;
        if (customer == null) {
            // made by an earlier run that stopped before linking it? (search lags a few seconds: best effort)
            customer = gateway.findCustomer(r.accountId()).orElse(null);
            if (customer == null) {
                customer = gateway.createCustomer(r.accountId(), r.email());
                created = true;
            }
            String linked = customer;
            boolean madeNow = created;
            database.useTransaction(tx -> {
                ledger.link(tx, r.accountId(), linked, r.email());
                tx.audit().record(actor, "checkout", r.accountId(), madeNow ? "created Stripe customer" : "linked Stripe customer",
                        null, Map.of("stripe_customer_id", linked));
            });
        }

        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(SubscriptionGateway.ACCOUNT_ID, r.accountId());
        metadata.put("billing_plan", plan.id());
        metadata.put("billing_cycle", cycle.key());
        SubscriptionGateway.CheckoutSession session = gateway.createCheckoutSession(new SubscriptionGateway.CheckoutRequest(customer,
                r.accountId(), metadata, priceId, r.quantity(), cycle.recurring(), trialDays, r.promotionCodes(), r.ui() == Ui.EMBEDDED,
                successUrl, cancelUrl, returnUrl, currency, catalog.checkout().automaticTax()));
        String customerId = customer;
        database.useTransaction(tx -> {
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("checkout_session", session.id());
            after.put("plan", plan.id());
            after.put("cycle", cycle.key());
            after.put("mode", session.mode());
            after.put("stripe_customer_id", customerId);
            if (currency != null) {
                after.put("currency", currency);
            }
            tx.audit().record(actor, "checkout", r.accountId(), null, null, after);
        });
        return new CheckoutResult(session.id(), session.url(), session.clientSecret(), session.mode(), customer, created, priceId, price,
                trialDays, currency, catalog.checkout().automaticTax());
    }

    // ------------------------------------------------------------------ portal

    public enum Flow { CANCEL, UPDATE, PAYMENT_METHOD }

    /**
     * The portal configuration sessions use. With a {@code portal:} block in plans.yaml, the one
     * {@code stripe:setup} manages (a configuration made through the API is never the account's default,
     * so a session without it would ignore plans.yaml); without one, the Dashboard's default, which a
     * fresh account does not have.
     *
     * @param configurationId what to pass as {@code configuration}, null for the Dashboard's default
     * @param problem why no session can be made, or null
     * @param detail which configuration, for doctor
     */
    public record PortalUse(String configurationId, String problem, String detail) {}

    public static PortalUse portalUse(Catalog catalog, List<dev.billingcli.stripe.PortalGateway.PortalConfiguration> configurations) {
        if (catalog.portal() != null) {
            return configurations.stream().filter(c -> c.managed() && c.active()).findFirst()
                    .map(c -> new PortalUse(c.id(), null, c.id() + " (managed by billing from plans.yaml portal:)"))
                    .orElse(new PortalUse(null, "no active billing portal configuration managed by billing in Stripe:"
                            + " run 'billing stripe:setup' (plans.yaml has a portal: block)", null));
        }
        return configurations.stream().filter(c -> c.isDefault() && c.active()).findFirst()
                .map(c -> new PortalUse(null, null, c.id() + " (the Dashboard's default; plans.yaml has no portal: block)"))
                .orElse(new PortalUse(null, "no billing portal configuration: add a portal: block to plans.yaml and run"
                        + " 'billing stripe:setup' (or save the portal settings in Stripe's Dashboard)", null));
    }

    public String portal(String accountId, String returnUrl, Flow flow) {
        record Target(String customer, String subscription) {}
        Target t = database.read(tx -> {
            tx.accounts().require(accountId);
            String customer = tx.accounts().customerOf(accountId).orElseThrow(() -> BillingException.notFound(
                    accountId + " has no Stripe customer yet: start with 'billing checkout --account " + accountId + " --plan …'"));
            String sub = flow == Flow.CANCEL || flow == Flow.UPDATE
                    ? liveSubscription(tx, accountId, flow == Flow.CANCEL ? "cancel" : "update").id() : null;
            return new Target(customer, sub);
        });
        String url = returnUrl != null ? returnUrl : catalog.portal() != null ? catalog.portal().returnUrl() : null;
        SubscriptionGateway gateway = stripe.get();
        gateway.access().checkWritesAllowed();
        PortalUse use = portalUse(catalog, new dev.billingcli.stripe.PortalGateway(gateway.access()).configurations());
        if (use.problem() != null) {
            throw BillingException.notFound(use.problem());
        }
        String flowType = flow == null ? null : switch (flow) {
            case CANCEL -> "subscription_cancel";
            case UPDATE -> "subscription_update";
            case PAYMENT_METHOD -> "payment_method_update";
        };
        String session = gateway.createPortalSession(new SubscriptionGateway.PortalSessionRequest(t.customer(), url, use.configurationId(),
                flowType, t.subscription()));
        database.useTransaction(tx -> tx.audit().record(actor, "portal", accountId, null, null,
                Map.of("flow", flow == null ? "home" : flow.name().toLowerCase(java.util.Locale.ROOT))));
        return session;
    }

    // ------------------------------------------------------------------ cancel, reactivate

    public enum CancelMode { AT_PERIOD_END, NOW, AT }

    /**
     * What a cancellation or reactivation did, or in a dry run would do.
     *
     * @param after null when nothing was sent
     * @param request what was (or would be) sent; null when there was nothing to send
     */
    public record Change(Subscription before, Subscription after, Request request, boolean sent, String message) {}

    /**
     * Cancels the account's running subscription at the period end, now, or at a date; a dry run says what would be sent and what
     * it costs, and sends and writes nothing.
     */
    public Change cancel(String accountId, CancelMode mode, Instant at, String reason, boolean dryRun) {
        Subscription current = database.read(tx -> liveSubscription(tx, accountId, "cancel"));
        if (mode == CancelMode.AT && !at.isAfter(Instant.now())) {
            throw BillingException.invalid("--at must be in the future (use --now to cancel at once)");
        }
        Request request = cancelRequest(current, mode, at, reason);
        if (dryRun) {
            String what = switch (mode) {
                case AT_PERIOD_END -> "cancel " + current.id() + " at the period end"
                        + (current.currentPeriodEnd() != null ? ", " + current.currentPeriodEnd() : "");
                case AT -> "cancel " + current.id() + " on " + at;
                case NOW -> "cancel " + current.id() + " now";
            };
            return new Change(current, null, request, false, "dry run: would " + what + "; nothing sent");
        }
        SubscriptionGateway gateway = stripe.get();
        gateway.access().checkWritesAllowed();
        StripeState answer = switch (mode) {
            case AT_PERIOD_END -> gateway.cancelAtPeriodEnd(current.id());
            case AT -> gateway.cancelAt(current.id(), at.getEpochSecond());
            case NOW -> gateway.cancelNow(current.id(), reason);
        };
        Subscription after = database.inTransaction(tx -> store(tx, answer, "cancel", audit("cancel", reason)));
        return new Change(current, after, request, true, cancelMessage(mode, after));
    }

    /** The request a cancellation sends, and what it costs (Stripe's defaults: no refund; a date inside the period prorates). */
    private static Request cancelRequest(Subscription current, CancelMode mode, Instant at, String reason) {
        String path = "/v1/subscriptions/" + current.id();
        Instant periodEnd = current.currentPeriodEnd();
        return switch (mode) {
            case AT_PERIOD_END -> new Request("POST", path, SubscriptionGateway.cancelAtPeriodEndFields(),
                    "no charge, no refund; access until the period end" + (periodEnd != null ? " (" + periodEnd + ")" : "")
                            + ", then the free plan");
            case AT -> new Request("POST", path, SubscriptionGateway.cancelAtFields(at.getEpochSecond()),
                    (periodEnd == null || at.isBefore(periodEnd)
                            ? "Stripe credits the time after " + at + " on the next invoice (its default proration_behavior, create_prorations)"
                            : "the renewals until then are invoiced as usual, the last one prorated to end on " + at)
                            + "; access until " + at + ", then the free plan");
            case NOW -> new Request("DELETE", path, SubscriptionGateway.cancelNowFields(reason),
                    "no refund and no proration (Stripe's defaults); access ends now");
        };
    }

    /** What a cancellation did, in words that stay true when Stripe's answer lacks a date. */
    static String cancelMessage(CancelMode mode, Subscription after) {
        return after.id() + " " + switch (mode) {
            case AT_PERIOD_END -> after.currentPeriodEnd() != null ? "cancels at the period end, " + after.currentPeriodEnd()
                    : "cancels at the period end (date unknown)";
            case AT -> after.cancelAt() != null ? "cancels on " + after.cancelAt() : "cancels on the date asked for (date unknown)";
            case NOW -> "canceled now";
        };
    }

    /** What a reactivation undid, in words that stay true when a date is missing. */
    static String reactivateMessage(Subscription before, Subscription after) {
        String undone = before.cancelAtPeriodEnd() ? "the cancellation at the period end"
                : before.cancelAt() != null ? "the cancellation on " + before.cancelAt() : "the scheduled cancellation";
        String renews = after.currentPeriodEnd() != null ? "it renews on " + after.currentPeriodEnd()
                : "it renews at the period end (date unknown)";
        return "reactivated " + after.id() + ": undid " + undone + "; " + renews;
    }

    /**
     * Undoes a scheduled cancellation. Reads the live subscription first (the database may lag):
     * {@code cancel_at_period_end} set → set it false; else an explicit {@code cancel_at} → clear it
     * ({@code cancel_at=""}). Never both in one request (Stripe rejects that; and since the Basil API
     * a period-end cancellation also shows as {@code cancel_at}, so the flag is checked first). No
     * immediate charge: nothing about the price or billing cycle changes.
     *
     * @return null after when there was nothing to undo
     */
    public Change reactivate(String accountId, String reason, boolean dryRun) {
        Subscription stored = database.read(tx -> {
            tx.accounts().require(accountId);
            return tx.subscriptions().currentOf(accountId).orElseThrow(() -> BillingException.notFound(
                    accountId + " has no subscription: start one with 'billing checkout --account " + accountId + " --plan …'"));
        });
        SubscriptionGateway gateway = stripe.get();
        StripeState live = gateway.subscription(stored.id());
        Subscription now = ledger.read(live.object());
        if (!now.running()) {
            Instant ended = now.endedAt() != null ? now.endedAt() : now.canceledAt();
            if (!dryRun) {
                database.useTransaction(tx -> store(tx, live, "refresh", null));
            }
            throw BillingException.notFound(now.id() + " ended" + (ended != null ? " on " + ended.toString().substring(0, 10) : "")
                    + "; start a new checkout ('billing checkout --account " + accountId + " --plan "
                    + (now.planId() != null ? now.planId() : "PLAN") + "')");
        }
        if (!now.cancelScheduled()) {
            if (!dryRun) {
                database.useTransaction(tx -> store(tx, live, "refresh", null));
            }
            return new Change(now, null, null, false, "nothing to reactivate: " + now.id() + " is " + now.status()
                    + " with no cancellation scheduled");
        }
        Request request = new Request("POST", "/v1/subscriptions/" + now.id(),
                now.cancelAtPeriodEnd() ? SubscriptionGateway.keepFields() : SubscriptionGateway.clearCancelAtFields(),
                "no charge now; " + (now.currentPeriodEnd() != null ? "it renews on " + now.currentPeriodEnd() : "it renews at the period end")
                        + " as usual");
        if (dryRun) {
            String undo = now.cancelAtPeriodEnd() ? "the cancellation at the period end"
                    : now.cancelAt() != null ? "the cancellation on " + now.cancelAt() : "the scheduled cancellation";
            return new Change(now, null, request, false, "dry run: would undo " + undo + " of " + now.id() + "; nothing sent");
        }
        gateway.access().checkWritesAllowed();
        StripeState answer = now.cancelAtPeriodEnd() ? gateway.keepUntilFurtherNotice(now.id()) : gateway.clearCancelAt(now.id());
        Subscription after = database.inTransaction(tx -> store(tx, answer, "reactivate", audit("reactivate", reason)));
        return new Change(now, after, request, true, reactivateMessage(now, after));
    }

    // ------------------------------------------------------------------ trial

    /**
     * What a support write sends (or, in a dry run, would send) and what it costs.
     *
     * @param fields the form fields of the request
     */
    public record Request(String method, String path, Map<String, String> fields, String cost) {}

    /** A trial's new end: {@code days} after the current end, or {@code until}. */
    public record TrialChange(Subscription before, Subscription after, Instant newEnd, Request request, boolean sent, String message) {}

    /**
     * Moves a trialing subscription's trial end, without prorations: the first charge moves with it.
     * Refuses a subscription that is not trialing (exit 1), and an end that is not in the future (exit 2).
     *
     * @param days days added to the current trial end, or null with {@code until}
     * @param dryRun send nothing: say what would be sent
     */
    public TrialChange extendTrial(String accountId, Integer days, Instant until, String reason, boolean dryRun, Instant now) {
        Subscription current = database.read(tx -> liveSubscription(tx, accountId, "extend a trial on"));
        if (!current.onTrial()) {
            throw BillingException.notFound(current.id() + " is " + current.status() + ", not trialing: there is no trial to extend");
        }
        if ((days == null) == (until == null)) {
            throw BillingException.invalid("give --days N or --until DATE");
        }
        if (days != null && days < 1) {
            throw BillingException.invalid("--days must be at least 1");
        }
        Instant from = current.trialEnd() != null ? current.trialEnd() : now;
        Instant end = days != null ? from.plus(java.time.Duration.ofDays(days)) : until;
        if (!end.isAfter(now)) {
            throw BillingException.invalid("the new trial end " + end + " is not in the future");
        }
        if (end.isAfter(now.plus(java.time.Duration.ofDays(730)))) {
            throw BillingException.invalid("the new trial end " + end + " is more than two years away (Stripe's limit)");
        }
        Request request = new Request("POST", "/v1/subscriptions/" + current.id(), SubscriptionGateway.trialEndFields(end.getEpochSecond()),
                "no charge now (proration_behavior=none); the first invoice moves to " + end);
        if (dryRun) {
            return new TrialChange(current, null, end, request, false, "dry run: would move the trial end of " + current.id() + " from "
                    + (current.trialEnd() != null ? current.trialEnd() : "(none)") + " to " + end + "; nothing sent");
        }
        SubscriptionGateway gateway = stripe.get();
        gateway.access().checkWritesAllowed();
        StripeState answer = gateway.moveTrialEnd(current.id(), end.getEpochSecond());
        Subscription after = database.inTransaction(tx -> store(tx, answer, "trial extend", audit("trial extend", reason)));
        return new TrialChange(current, after, end, request, true, "moved the trial end of " + after.id() + " to "
                + (after.trialEnd() != null ? after.trialEnd() : end + " (Stripe's answer has no trial_end)"));
    }

    // ------------------------------------------------------------------ pause, resume

    /** What Stripe does with the invoices of a paused subscription ({@code pause_collection.behavior}). */
    public static final List<String> PAUSE_BEHAVIORS = List.of("void", "keep_as_draft", "mark_uncollectible");

    /** A pause or a resume: the subscription before and after (null after in a dry run or when nothing changed). */
    public record PauseChange(Subscription before, Subscription after, Request request, boolean sent, String message) {}

    /**
     * Pauses payment collection ({@code pause_collection}): the subscription keeps its status and keeps
     * renewing, and each invoice of the pause is voided, kept as a draft, or marked uncollectible. Access
     * follows the rule in {@link EffectiveAccess}: the plan until the end of the period paid before the
     * pause, then free until collection resumes. Asking again with other settings changes the pause.
     *
     * @param behavior one of {@link #PAUSE_BEHAVIORS}
     * @param until when Stripe resumes collection by itself, or null for "until 'billing resume'"
     */
    public PauseChange pause(String accountId, String behavior, Instant until, String reason, boolean dryRun, Instant now) {
        if (!PAUSE_BEHAVIORS.contains(behavior)) {
            throw BillingException.invalid("--behavior must be one of " + String.join(", ", PAUSE_BEHAVIORS) + ", got " + behavior);
        }
        if (until != null && !until.isAfter(now)) {
            throw BillingException.invalid("--until " + until + " is not in the future");
        }
        Subscription current = database.read(tx -> liveSubscription(tx, accountId, "pause"));
        Long resumesAt = until == null ? null : until.getEpochSecond();
        if (behavior.equals(current.pauseBehavior()) && java.util.Objects.equals(until, current.pauseResumesAt())) {
            return new PauseChange(current, null, null, false, "nothing to do: collection of " + current.id() + " is already paused ("
                    + behavior + (until != null ? ", resumes " + until : ", until resumed") + ")");
        }
        Instant paidUntil = current.pauseBehavior() != null ? current.pausePaidUntil() : current.currentPeriodEnd();
        Request request = new Request("POST", "/v1/subscriptions/" + current.id(), SubscriptionGateway.pauseFields(behavior, resumesAt),
                "no charge; invoices while paused are " + switch (behavior) {
                    case "void" -> "voided";
                    case "keep_as_draft" -> "kept as drafts (collectable later)";
                    default -> "marked uncollectible";
                } + "; access continues until " + (paidUntil != null ? paidUntil : "the period end") + ", then free until resumed");
        String what = (current.pauseBehavior() != null ? "change the pause of " : "pause collection of ") + current.id() + " ("
                + behavior + (until != null ? ", resumes " + until : ", until resumed") + ")";
        if (dryRun) {
            return new PauseChange(current, null, request, false, "dry run: would " + what + "; nothing sent");
        }
        SubscriptionGateway gateway = stripe.get();
        gateway.access().checkWritesAllowed();
        StripeState answer = gateway.pauseCollection(current.id(), behavior, resumesAt);
        Subscription after = database.inTransaction(tx -> store(tx, answer, "pause", audit("pause", reason)));
        return new PauseChange(current, after, request, true, (current.pauseBehavior() != null ? "changed the pause of " : "paused collection of ")
                + after.id() + " (" + behavior + (after.pauseResumesAt() != null ? ", resumes " + after.pauseResumesAt() : ", until resumed")
                + "); access until " + (after.pausePaidUntil() != null ? after.pausePaidUntil() : "the period end") + ", then free until resumed");
    }

    /** Resumes payment collection ({@code pause_collection=""}); the next renewal is invoiced and collected as usual. */
    public PauseChange resume(String accountId, String reason, boolean dryRun, Instant now) {
        Subscription current = database.read(tx -> liveSubscription(tx, accountId, "resume"));
        if (current.pauseBehavior() == null) {
            return new PauseChange(current, null, null, false, "nothing to resume: collection of " + current.id() + " is not paused");
        }
        Request request = new Request("POST", "/v1/subscriptions/" + current.id(), SubscriptionGateway.resumeFields(),
                "no charge now; the next renewal" + (current.currentPeriodEnd() != null ? " (" + current.currentPeriodEnd() + ")" : "")
                        + " is invoiced and collected as usual");
        if (dryRun) {
            return new PauseChange(current, null, request, false, "dry run: would resume collection of " + current.id() + "; nothing sent");
        }
        SubscriptionGateway gateway = stripe.get();
        gateway.access().checkWritesAllowed();
        StripeState answer = gateway.resumeCollection(current.id());
        Subscription after = database.inTransaction(tx -> store(tx, answer, "resume", audit("resume", reason)));
        return new PauseChange(current, after, request, true, "resumed collection of " + after.id() + "; it renews on "
                + (after.currentPeriodEnd() != null ? after.currentPeriodEnd() : "(date unknown)"));
    }

    // ------------------------------------------------------------------ change plan

    /** When a plan change takes effect. */
    public enum ChangeAt { NOW, RENEWAL }

    /**
     * @param cycle null: the subscription's current cycle; @param quantity null: the current quantity
     */
    public record PlanChangeRequest(String accountId, String planId, Cycle cycle, Integer quantity, ChangeAt at, String reason,
            boolean dryRun, Instant now) {}

    /** A line of Stripe's preview; amounts in minor units of the preview's currency. */
    public record PreviewLine(String description, long amount, boolean proration) {}

    /**
     * Stripe's preview of the next invoice after the change.
     *
     * @param prorations the sum of the proration lines (negative: a credit)
     * @param total the next invoice's total, prorations included
     */
    public record Preview(String currency, long prorations, long total, Instant invoiceDate, List<PreviewLine> lines) {}

    /**
     * @param preview Stripe's preview of the change (null when nothing changes)
     * @param request the update sent (or, in a dry run, that would be sent)
     */
    public record PlanChange(Subscription before, Subscription after, String plan, String cycle, int quantity, Preview preview,
            Request request, boolean sent, String message) {}

    /**
     * Moves the subscription's item to the plan's price for the cycle, now, with prorations; Stripe's own
     * preview ({@code POST /v1/invoices/create_preview}, dated like the update) first, and alone in a dry
     * run. Refuses a plan without a price for the cycle (exit 2) and a subscription that ended (exit 1).
     */
    public PlanChange changePlan(PlanChangeRequest r) {
        Plan plan = catalog.plan(r.planId()).orElseThrow(() -> BillingException.invalid("unknown plan " + r.planId()
                + " (plans with prices: " + catalog.plans().values().stream().filter(p -> p.prices().keySet().stream().anyMatch(Cycle::recurring))
                        .map(Plan::id).collect(Collectors.joining(", ")) + ")"));
        if (r.quantity() != null && r.quantity() < 1) {
            throw BillingException.invalid("--quantity must be at least 1");
        }
        Subscription current = database.read(tx -> {
            tx.accounts().require(r.accountId());
            Subscription s = tx.subscriptions().currentOf(r.accountId()).orElse(null);
            if (!live(s)) {
                throw BillingException.notFound(r.accountId() + (s == null ? " has no subscription" : "'s subscription " + s.id() + " ended ("
                        + s.status() + ")") + ": start one with 'billing checkout --account " + r.accountId() + " --plan " + plan.id() + "'");
            }
            return s;
        });
        Cycle cycle = r.cycle() != null ? r.cycle() : "year".equals(current.interval()) ? Cycle.YEARLY : Cycle.MONTHLY;
        PlanPrice price = cycle.recurring() ? plan.price(cycle) : null;
        if (price == null) {
            throw BillingException.invalid("plan " + plan.id() + " has no " + cycle.key() + " price" + (plan.prices().isEmpty()
                    ? (plan.contact() != null ? " (it is sold by hand: " + plan.contact() + ")" : " (it has no prices)")
                    : " (it has: " + plan.prices().keySet().stream().map(Cycle::key).collect(Collectors.joining(", ")) + ")"));
        }
        int quantity = r.quantity() != null ? r.quantity() : current.quantity();
        SubscriptionGateway gateway = stripe.get();
        if (!r.dryRun()) {
            gateway.access().checkWritesAllowed();
        }
        String priceId = new CatalogGateway(gateway.access()).pricesByLookupKeys(List.of(price.lookupKey())).stream()
                .filter(p -> p.active() && price.lookupKey().equals(p.lookupKey())).map(CatalogGateway.StripePrice::id).findFirst()
                .orElseThrow(() -> BillingException.notFound("no active price with lookup key " + price.lookupKey()
                        + " in Stripe: run 'billing stripe:setup'"));
        StripeState live = gateway.subscription(current.id());
        Subscription now = ledger.read(live.object());
        if (!now.running()) {
            database.useTransaction(tx -> store(tx, live, "refresh", null));
            throw BillingException.notFound(now.id() + " ended (" + now.status() + "): start a new one with 'billing checkout --account "
                    + r.accountId() + " --plan " + plan.id() + "'");
        }
        if (now.scheduleId() != null) {
            ScheduledChange known = now.scheduleId().equals(current.scheduleId()) ? current.scheduledChange() : null; // Stripe's object names only the schedule
            throw BillingException.notFound(now.id() + " already has a schedule (" + now.scheduleId() + (known != null
                    ? ": " + describe(known) : "") + "): remove it first with 'billing change-plan --account " + r.accountId()
                    + " --cancel-scheduled'");
        }
        if (priceId.equals(now.priceId()) && quantity == now.quantity()) {
            return new PlanChange(now, null, plan.id(), cycle.key(), quantity, null, null, false, "nothing to change: " + now.id()
                    + " is already on " + price.lookupKey() + " × " + quantity);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("billing_plan", plan.id());
        metadata.put("billing_cycle", cycle.key());
        if (r.at() == ChangeAt.RENEWAL) {
            return changeAtRenewal(r, gateway, now, live, new ScheduledChange(plan.id(), cycle.key(), quantity, now.currentPeriodEnd()), price,
                    new SubscriptionGateway.RenewalChange(now.id(), now.priceId(), now.quantity(), priceId, quantity, metadata));
        }
        String itemId = SubscriptionGateway.firstItemId(live.object());
        SubscriptionGateway.PriceChange change = new SubscriptionGateway.PriceChange(now.id(), itemId, priceId, quantity,
                r.now().getEpochSecond(), metadata);
        SubscriptionGateway.InvoicePreview p = gateway.previewPriceChange(change);
        List<PreviewLine> lines = p.lines().stream().map(l -> new PreviewLine(l.description(), l.amount(), l.proration())).toList();
        long prorations = lines.stream().filter(PreviewLine::proration).mapToLong(PreviewLine::amount).sum();
        Preview preview = new Preview(p.currency(), prorations, p.total(), p.periodEnd(), lines);
        String currency = p.currency() == null ? catalog.currency() : p.currency();
        Request request = new Request("POST", "/v1/subscriptions/" + now.id(), SubscriptionGateway.priceChangeFields(change),
                "prorations " + signed(prorations, currency) + " on the next invoice" + (p.periodEnd() != null ? " (" + p.periodEnd() + ")" : "")
                        + ", whose total is " + Money.format(p.total(), currency) + " " + currency.toUpperCase(java.util.Locale.ROOT)
                        + " (Stripe's preview)");
        String what = now.id() + " from " + (now.priceLookupKey() != null ? now.priceLookupKey() : now.priceId()) + " × " + now.quantity()
                + " to " + price.lookupKey() + " × " + quantity;
        if (r.dryRun()) {
            return new PlanChange(now, null, plan.id(), cycle.key(), quantity, preview, request, false, "dry run: would move " + what
                    + " now; nothing sent");
        }
        StripeState answer = gateway.changePrice(change);
        Subscription after = database.inTransaction(tx -> store(tx, answer, "change-plan", audit("change-plan", r.reason())));
        return new PlanChange(now, after, plan.id(), cycle.key(), quantity, preview, request, true, "moved " + what + "; prorations "
                + signed(prorations, currency) + " on the next invoice");
    }

    static String describe(ScheduledChange c) {
        return (c.planId() != null ? c.planId() : "a price not in plans.yaml") + (c.cycle() != null ? " " + c.cycle() : "") + " × "
                + c.quantity() + " from " + periodEnd(c.at());
    }

    /** A period end in a sentence: the time, or words that stay true without it. */
    static String periodEnd(Instant t) {
        return t != null ? t.toString() : "the period end (date unknown)";
    }

    /**
     * The change at the period end, with a subscription schedule (Stripe's way for downgrades): no
     * proration and no charge now; from the renewal the new price is invoiced. {@code status} shows it,
     * {@code --cancel-scheduled} releases it.
     */
    private PlanChange changeAtRenewal(PlanChangeRequest r, SubscriptionGateway gateway, Subscription now, StripeState live,
            ScheduledChange change, PlanPrice price, SubscriptionGateway.RenewalChange renewal) {
        long start = now.currentPeriodStart() != null ? now.currentPeriodStart().getEpochSecond() : 0;
        long end = now.currentPeriodEnd() != null ? now.currentPeriodEnd().getEpochSecond() : 0;
        String currency = price.currency();
        // Stripe's preview of the first invoice at the new price (a schedule of the new phase alone, from the period end)
        Preview preview = null;
        String cost = "no charge now; from " + periodEnd(now.currentPeriodEnd()) + " each " + (price.cycle() == Cycle.YEARLY ? "year" : "month")
                + " is invoiced at "
                + Money.format(price.unitAmount() * change.quantity(), currency) + " " + currency.toUpperCase(java.util.Locale.ROOT);
        if (now.currentPeriodEnd() != null && now.customerId() != null) {
            SubscriptionGateway.InvoicePreview p = gateway.previewRenewal(now.customerId(), renewal, end);
            String c = p.currency() == null ? currency : p.currency();
            preview = new Preview(c, 0, p.total(), now.currentPeriodEnd(),
                    p.lines().stream().map(l -> new PreviewLine(l.description(), l.amount(), l.proration())).toList());
            cost = "no charge now; the first invoice at the new price, " + now.currentPeriodEnd() + ", is " + Money.format(p.total(), c) + " "
                    + c.toUpperCase(java.util.Locale.ROOT) + " (Stripe's preview)";
        }
        Request request = new Request("POST", "/v1/subscription_schedules/{schedule made from " + now.id() + "}",
                SubscriptionGateway.phaseFields(renewal, start, end), cost);
        String what = now.id() + " from " + (now.priceLookupKey() != null ? now.priceLookupKey() : now.priceId()) + " × " + now.quantity()
                + " to " + price.lookupKey() + " × " + change.quantity() + " at the renewal, " + periodEnd(now.currentPeriodEnd());
        if (r.dryRun()) {
            return new PlanChange(now, null, change.planId(), change.cycle(), change.quantity(), preview, request, false,
                    "dry run: would schedule the move of " + what + " (POST /v1/subscription_schedules from_subscription=" + now.id()
                            + ", then its phases); nothing sent");
        }
        SubscriptionGateway.ScheduledRenewal scheduled = gateway.scheduleAtRenewal(renewal);
        ScheduledChange at = new ScheduledChange(change.planId(), change.cycle(), change.quantity(), scheduled.changeAt());
        StripeState answer = gateway.subscription(now.id());
        Subscription after = database.inTransaction(tx -> ledger.apply(tx, SubscriptionLedger.Report.answer("change-plan", answer.requestId(),
                answer.asOf(), answer.object()), audit("change-plan", r.reason()), at).after());
        return new PlanChange(now, after, change.planId(), change.cycle(), change.quantity(), preview, request, true, "scheduled the move of "
                + now.id() + " to " + price.lookupKey() + " × " + change.quantity() + " at the renewal, " + scheduled.changeAt() + " (schedule "
                + scheduled.scheduleId() + "); no charge now");
    }

    /** Releases the subscription's schedule: the scheduled change is dropped, the subscription stays as it is. */
    public PlanChange cancelScheduled(String accountId, String reason, boolean dryRun) {
        Subscription current = database.read(tx -> liveSubscription(tx, accountId, "change"));
        if (current.scheduleId() == null) {
            return new PlanChange(current, null, current.planId(), null, current.quantity(), null, null, false,
                    "nothing scheduled: " + current.id() + " has no subscription schedule");
        }
        Request request = new Request("POST", "/v1/subscription_schedules/" + current.scheduleId() + "/release", Map.of(),
                "no charge; " + current.id() + " stays on " + (current.priceLookupKey() != null ? current.priceLookupKey() : current.priceId())
                        + " × " + current.quantity());
        String what = current.scheduleId() + (current.scheduledChange() != null ? " (" + describe(current.scheduledChange()) + ")" : "");
        if (dryRun) {
            return new PlanChange(current, null, current.planId(), null, current.quantity(), null, request, false,
                    "dry run: would release schedule " + what + "; nothing sent");
        }
        SubscriptionGateway gateway = stripe.get();
        gateway.access().checkWritesAllowed();
        gateway.releaseSchedule(current.scheduleId());
        StripeState answer = gateway.subscription(current.id());
        Subscription after = database.inTransaction(tx -> store(tx, answer, "change-plan", audit("change-plan --cancel-scheduled", reason)));
        return new PlanChange(current, after, after.planId(), null, after.quantity(), null, request, true, "released schedule " + what
                + "; " + after.id() + " stays on " + (after.priceLookupKey() != null ? after.priceLookupKey() : after.priceId()) + " × "
                + after.quantity());
    }

    // ------------------------------------------------------------------ discounts

    /**
     * Stripe's preview of the next invoice with the change, in minor units of {@code currency}.
     *
     * @param subtotal before discounts; @param discount what the discounts take off; @param total what the invoice comes to
     */
    public record DiscountPreview(String currency, long subtotal, long discount, long total, Instant invoiceDate) {}

    /**
     * A discount applied or removed.
     *
     * @param coupon the coupon asked for (or the promotion code's coupon), null for a removal
     * @param promotionCode the customer-facing code asked for, or null
     * @param discountsBefore the subscription's discount ids before (Stripe's), @param discountsAfter after (null unless sent)
     */
    public record DiscountChange(Subscription before, Subscription after, String coupon, String promotionCode, DiscountPreview preview,
            Request request, boolean sent, List<String> discountsBefore, List<String> discountsAfter, String message) {}

    /**
     * Applies a coupon or a promotion code to the account's running subscription ({@code discounts[0][…]}, replacing
     * any discount it has), or removes every discount ({@code remove}: {@code discounts=""}). Checks the coupon or the
     * code first (unknown: exit 2), reads the live subscription, asks Stripe for the next invoice with the change
     * ({@code create_preview}), and alone that in a dry run. The subscription row has no column for discounts: Stripe's
     * answer goes through the ledger (anything else it reports is stored), the discounts go to the audit row.
     */
    public DiscountChange discount(String accountId, String couponId, String code, boolean remove, String reason, boolean dryRun) {
        if (!remove && (couponId == null) == (code == null)) {
            throw BillingException.invalid("give --coupon ID or --promotion-code CODE");
        }
        Subscription current = database.read(tx -> liveSubscription(tx, accountId, remove ? "remove a discount from" : "discount"));
        SubscriptionGateway gateway = stripe.get();
        if (!dryRun) {
            gateway.access().checkWritesAllowed();
        }
        dev.billingcli.stripe.DiscountGateway discounts = new dev.billingcli.stripe.DiscountGateway(gateway.access());
        SubscriptionGateway.DiscountRef ref = null;
        String coupon = null;
        String what;
        if (couponId != null) {
            // a plans.yaml key names the coupon's current version in Stripe (stripe:setup makes launch20, launch20_v2, … as terms change)
            String stripeId = catalog.coupons().containsKey(couponId) ? currentCouponVersion(discounts, catalog.coupons().get(couponId)) : couponId;
            var c = discounts.coupon(stripeId).orElseThrow(() -> BillingException.invalid("no coupon " + stripeId + " in Stripe"));
            if (!c.valid()) {
                throw BillingException.invalid("coupon " + couponId + " is no longer valid in Stripe (expired or fully redeemed)");
            }
            ref = SubscriptionGateway.DiscountRef.coupon(c.id());
            coupon = c.id();
            what = "coupon " + c.id() + (c.id().equals(couponId) ? "" : " (plans.yaml " + couponId + ")");
        } else if (code != null) {
            var promotion = discounts.activePromotionCode(code)
                    .orElseThrow(() -> BillingException.invalid("no active promotion code " + code + " in Stripe"));
            ref = SubscriptionGateway.DiscountRef.promotionCode(promotion.id());
            coupon = promotion.couponId();
            what = "promotion code " + promotion.code() + " (" + promotion.id() + ", coupon " + promotion.couponId() + ")";
        } else {
            what = null;
        }
        StripeState live = gateway.subscription(current.id());
        Subscription now = ledger.read(live.object());
        if (!now.running()) {
            database.useTransaction(tx -> store(tx, live, "refresh", null));
            throw BillingException.notFound(now.id() + " ended (" + now.status() + "): there is nothing to discount");
        }
        List<String> held = SubscriptionGateway.discountIds(live.object());
        if (remove && held.isEmpty()) {
            return new DiscountChange(now, null, null, null, null, null, false, held, null, "nothing to remove: " + now.id() + " has no discount");
        }
        SubscriptionGateway.InvoicePreview p = gateway.previewDiscount(now.id(), ref);
        String currency = p.currency() == null ? catalog.currency() : p.currency();
        DiscountPreview preview = new DiscountPreview(currency, p.subtotal(), p.discount(), p.total(), p.periodEnd());
        String next = "the next invoice" + (p.periodEnd() != null ? " (" + p.periodEnd() + ")" : "") + " comes to " + amount(p.total(), currency)
                + (p.discount() != 0 ? " (" + amount(p.subtotal(), currency) + " less " + amount(p.discount(), currency) + ")" : "");
        Request request = new Request("POST", "/v1/subscriptions/" + now.id(), SubscriptionGateway.discountFields(ref),
                "no charge now; " + next + " (Stripe's preview)");
        String action = remove ? "remove the discount" + (held.size() > 1 ? "s" : "") + " of " + now.id()
                : "apply " + what + " to " + now.id() + (held.isEmpty() ? "" : ", replacing its discount" + (held.size() > 1 ? "s" : ""));
        if (dryRun) {
            return new DiscountChange(now, null, coupon, code, preview, request, false, held, null, "dry run: would " + action + "; nothing sent");
        }
        SubscriptionGateway.DiscountRef sent = ref;
        StripeState answer = gateway.setDiscount(now.id(), sent);
        List<String> after = SubscriptionGateway.discountIds(answer.object());
        Map<String, Object> auditBefore = new LinkedHashMap<>();
        auditBefore.put("discounts", held);
        Map<String, Object> auditAfter = new LinkedHashMap<>();
        auditAfter.put("discounts", after);
        auditAfter.put("coupon", coupon);
        auditAfter.put("promotion_code", code);
        String command = remove ? "discount remove" : "discount apply";
        Subscription stored = database.inTransaction(tx -> store(tx, answer, command,
                new SubscriptionLedger.Audit(actor, command, reason, auditBefore, auditAfter)));
        String done = remove ? "removed the discount" + (held.size() > 1 ? "s" : "") + " of " + now.id()
                : "applied " + what + " to " + now.id();
        return new DiscountChange(now, stored, coupon, code, preview, request, true, held, after, done + "; " + next);
    }

    /**
     * The Stripe id of a plans.yaml coupon's current version: the newest coupon {@code stripe:setup} made for the key
     * ({@code billing_coupon} metadata) whose terms are plans.yaml's ({@code billing_terms}, the hash of the terms).
     * None: exit 2 with the fix (a changed plans.yaml not yet set up, or a coupon never set up).
     */
    static String currentCouponVersion(dev.billingcli.stripe.DiscountGateway discounts, dev.billingcli.catalog.Coupon coupon) {
        return discounts.coupons().stream()
                .filter(c -> c.managed() && coupon.key().equals(c.metadata().get("billing_coupon"))
                        && coupon.termsHash().equals(c.metadata().get("billing_terms")))
                .max(java.util.Comparator.comparingInt(c -> version(c.id(), coupon.key())))
                .map(dev.billingcli.stripe.DiscountGateway.StripeCoupon::id)
                .orElseThrow(() -> BillingException.invalid("coupon " + coupon.key() + " of plans.yaml has no version with its terms in Stripe:"
                        + " run 'billing stripe:setup'"));
    }

    /** 1 for the key itself, n for {@code key_vn} (stripe:setup's versions). */
    private static int version(String id, String key) {
        if (id.equals(key)) {
            return 1;
        }
        String rest = id.startsWith(key + "_v") ? id.substring(key.length() + 2) : "";
        return rest.matches("[0-9]{1,8}") ? Integer.parseInt(rest) : 0;
    }

    // ------------------------------------------------------------------ refunds

    /**
     * A refund of an invoice's payment, in minor units of {@code currency}.
     *
     * @param paid what the payment brought in; @param refundedBefore what its refunds had returned already
     * @param amount what this refund returns; @param refundId null unless sent
     */
    public record RefundResult(String invoiceId, String currency, long paid, long refundedBefore, long amount, boolean full, String refundId,
            String refundStatus, Request request, List<Request> requests, List<RefundPart> refunds, boolean sent, String message) {}

    /** One refund sent: of one payment of the invoice. */
    public record RefundPart(String id, String payment, long amount, String status, Instant created) {}

    /**
     * Refunds the payment of an invoice of the account ({@code --invoice}, which must be its customer's, or its newest
     * paid one with {@code last}): the invoice's payments are listed under it ({@code GET /v1/invoice_payments}), what
     * they returned already is read from their refunds, and never more than what is left is sent (exit 2, before any
     * write). {@code amountText} is parsed exactly in the invoice's currency; null refunds all that is left. The
     * account's credits are left as they are (a refund returns money; the credits the period granted stay).
     */
    public RefundResult refund(String accountId, String invoiceId, boolean last, String amountText, String reason, boolean dryRun) {
        if ((invoiceId == null) == !last) {
            throw BillingException.invalid("give --invoice in_… or --last");
        }
        String customer = database.read(tx -> {
            tx.accounts().require(accountId);
            return tx.accounts().customerOf(accountId).orElseThrow(() -> BillingException.notFound(accountId
                    + " has no Stripe customer: nothing was paid to refund"));
        });
        SubscriptionGateway gateway = stripe.get();
        if (!dryRun) {
            gateway.access().checkWritesAllowed();
        }
        dev.billingcli.stripe.RefundGateway refunds = new dev.billingcli.stripe.RefundGateway(gateway.access());
        dev.billingcli.stripe.RefundGateway.StripeInvoice invoice;
        if (invoiceId != null) {
            invoice = refunds.invoice(invoiceId).orElseThrow(() -> BillingException.invalid("no invoice " + invoiceId + " in Stripe"));
            if (!customer.equals(invoice.customer())) {
                throw BillingException.invalid(invoiceId + " is not an invoice of " + accountId + " (its customer is " + invoice.customer() + ")");
            }
        } else {
            invoice = refunds.newestPaidInvoice(customer).orElseThrow(() -> BillingException.notFound(accountId + " has no paid invoice"));
        }
        if (!"paid".equals(invoice.status())) {
            throw BillingException.invalid(invoice.id() + " is " + invoice.status() + ", not paid: there is no payment to refund");
        }
        String currency = invoice.currency();
        // newest payment first: a partial refund of an invoice paid in parts returns the latest money first
        List<dev.billingcli.stripe.RefundGateway.StripeInvoicePayment> paid = refunds.payments(invoice.id()).stream()
                .filter(p -> "paid".equals(p.status()) && p.payment() != null)
                .sorted(java.util.Comparator.comparingLong(dev.billingcli.stripe.RefundGateway.StripeInvoicePayment::created).reversed()
                        .thenComparing(dev.billingcli.stripe.RefundGateway.StripeInvoicePayment::id, java.util.Comparator.reverseOrder()))
                .toList();
        if (paid.isEmpty()) {
            throw BillingException.invalid(invoice.id() + " has no payment made through Stripe to refund (paid out of band, or by credit)");
        }
        long[] before = new long[paid.size()];
        long paidTotal = 0;
        long refundedBefore = 0;
        for (int k = 0; k < paid.size(); k++) {
            before[k] = refunds.refunded(paid.get(k));
            paidTotal += paid.get(k).amountPaid();
            refundedBefore += before[k];
        }
        long left = paidTotal - refundedBefore;
        String state = "paid " + amount(paidTotal, currency) + (paid.size() > 1 ? " in " + paid.size() + " payments" : "") + ", refunded "
                + amount(refundedBefore, currency);
        if (left <= 0) {
            throw BillingException.invalid(invoice.id() + " is refunded in full already (" + state + ")");
        }
        Long asked = null;
        if (amountText != null) {
            try {
                asked = Money.toMinor(amountText, currency);
            } catch (IllegalArgumentException e) {
                throw BillingException.invalid("--amount " + e.getMessage());
            }
            if (asked <= 0) {
                throw BillingException.invalid("--amount must be more than 0");
            }
            if (asked > left) {
                throw BillingException.invalid("--amount " + amount(asked, currency) + " is more than the " + amount(left, currency)
                        + " left to refund on " + invoice.id() + " (" + state + ")");
            }
        }
        long refund = asked != null ? asked : left;
        boolean full = refund == left && refundedBefore == 0;
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(SubscriptionGateway.ACCOUNT_ID, accountId);
        metadata.put("invoice", invoice.id());
        // one refund per payment, newest first, each at most what is left of it: never more than paid in total
        record Part(dev.billingcli.stripe.RefundGateway.StripeInvoicePayment payment, long amount, Long sent) {}
        List<Part> parts = new java.util.ArrayList<>();
        long toGo = refund;
        for (int k = 0; k < paid.size() && toGo > 0; k++) {
            long leftOf = paid.get(k).amountPaid() - before[k];
            long take = Math.min(toGo, leftOf);
            if (take > 0) {
                // without --amount Stripe refunds what is left of each payment: no amount sent
                parts.add(new Part(paid.get(k), take, asked == null ? null : take));
                toGo -= take;
            }
        }
        List<Request> requests = new java.util.ArrayList<>();
        for (Part part : parts) {
            String cost = parts.size() == 1
                    ? amount(refund, currency) + " back to the customer's payment method (" + state + "; " + amount(left - refund, currency)
                            + " left to refund after)"
                    : amount(part.amount(), currency) + " of " + part.payment().payment() + " back to the customer's payment method (" + state
                            + "; " + amount(left - refund, currency) + " left to refund on the invoice after)";
            requests.add(new Request("POST", "/v1/refunds", dev.billingcli.stripe.RefundGateway.refundFields(part.payment(), part.sent(), metadata),
                    cost));
        }
        String payments = String.join(", ", parts.stream().map(p -> p.payment().payment()).toList());
        String what = amount(refund, currency) + (full ? " (all of it)" : refund == left ? " (all that is left)" : "") + " of " + invoice.id()
                + " (" + payments + ")";
        if (dryRun) {
            return new RefundResult(invoice.id(), currency, paidTotal, refundedBefore, refund, full, null, null, requests.get(0), requests,
                    List.of(), false, "dry run: would refund " + what + "; nothing sent");
        }
        List<RefundPart> done = new java.util.ArrayList<>();
        RuntimeException failed = null;
        for (Part part : parts) {
            try {
                var r = refunds.refund(part.payment(), part.sent(), metadata);
                done.add(new RefundPart(r.id(), part.payment().payment(), r.amount(), r.status(), r.created()));
            } catch (RuntimeException e) {
                failed = e; // the refunds made stay made: recorded below, then the error
                break;
            }
        }
        long returned = done.stream().mapToLong(RefundPart::amount).sum();
        long refundedBeforeTotal = refundedBefore;
        if (!done.isEmpty()) {
            database.useTransaction(tx -> {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("invoice", invoice.id());
                b.put("payment", String.join(", ", paid.stream().map(dev.billingcli.stripe.RefundGateway.StripeInvoicePayment::payment).toList()));
                b.put("currency", currency);
                b.put("amount_paid", paidTotal(paid));
                b.put("refunded", refundedBeforeTotal);
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("refund", String.join(", ", done.stream().map(RefundPart::id).toList()));
                a.put("amount", returned);
                a.put("status", String.join(", ", done.stream().map(RefundPart::status).distinct().toList()));
                a.put("refunded", refundedBeforeTotal + returned);
                tx.audit().record(actor, "refund", accountId, reason, b, a);
                for (RefundPart d : done) {
                    tx.refunds().record(new dev.billingcli.store.RefundStore.Refund(d.id(), accountId, invoice.id(), d.payment(), d.amount(),
                            currency, d.status(), d.created()), "refund");
                }
            });
        }
        if (failed != null) {
            if (done.isEmpty()) {
                throw failed;
            }
            // Stripe or the network failed on a later payment (exit 3): what was refunded stays, and the rest is one command away
            String message = failed.getMessage() == null ? failed.getClass().getSimpleName() : failed.getMessage();
            throw BillingException.serviceFailed("refunded " + amount(returned, currency) + " of " + invoice.id() + " (" + String.join(", ",
                    done.stream().map(RefundPart::id).toList()) + ", recorded and audited), then the refund of the next payment failed: "
                    + message + "; to refund the other " + amount(refund - returned, currency) + " asked for: 'billing refund --account "
                    + accountId + " --invoice " + invoice.id() + " --amount " + Money.format(refund - returned, currency) + "'", failed);
        }
        RefundPart first = done.get(0);
        String ids = String.join(", ", done.stream().map(d -> d.id() + " (" + d.status() + ")").toList());
        return new RefundResult(invoice.id(), currency, paidTotal, refundedBefore, returned, full, first.id(), first.status(), requests.get(0),
                requests, done, true, "refunded " + what + ": " + ids);
    }

    private static long paidTotal(List<dev.billingcli.stripe.RefundGateway.StripeInvoicePayment> paid) {
        return paid.stream().mapToLong(dev.billingcli.stripe.RefundGateway.StripeInvoicePayment::amountPaid).sum();
    }

    /** {@code 23.20 EUR}. */
    static String amount(long minor, String currency) {
        return (minor < 0 ? "-" : "") + Money.format(Math.abs(minor), currency) + " " + currency.toUpperCase(java.util.Locale.ROOT);
    }

    /** {@code +1.50 EUR}, {@code -3.20 EUR}. */
    static String signed(long minor, String currency) {
        return (minor >= 0 ? "+" : "-") + Money.format(Math.abs(minor), currency) + " " + currency.toUpperCase(java.util.Locale.ROOT);
    }

    // ------------------------------------------------------------------ status


    /**
     * @param subscription the newest subscription, or null
     * @param differences null when Stripe was not asked
     */
    public record Status(String accountId, String customerId, String email, Subscription subscription, EffectiveAccess access,
            Plan effectivePlan, long credits, List<LicenseService.License> licenses, List<Refund> refunds,
            List<EventLog.StoredEvent> events, List<Subscription.Difference> differences) {}

    /** A refund of one of the account's payments, as status shows it. @param invoiceId null when not known */
    public record Refund(String id, String invoiceId, String payment, long amount, String currency, String status, Instant created) {
        static Refund of(dev.billingcli.store.RefundStore.Refund r) {
            return new Refund(r.id(), r.invoiceId(), r.payment(), r.amount(), r.currency(), r.status(), r.created());
        }
    }

    /** How many of an account's refunds {@code status} shows, newest first. */
    static final int STATUS_REFUNDS = 5;

    public Status status(String accountId, boolean withStripe, Instant now) {
        Status s = database.read(tx -> {
            tx.accounts().require(accountId);
            Subscription sub = tx.subscriptions().currentOf(accountId).orElse(null);
            String free = catalog.freePlan().map(Plan::id).orElse(null);
            EffectiveAccess access = EffectiveAccess.of(sub, free, catalog.gracePeriodDays(), now);
            Plan plan = access.planId() == null ? null : catalog.plans().get(access.planId());
            String email = tx.accounts().emailOf(accountId).orElse(null);
            return new Status(accountId, tx.accounts().customerOf(accountId).orElse(null), email, sub, access, plan,
                    tx.credits().balance(accountId), tx.licenses().of(accountId).stream().map(LicenseService.License::of).toList(),
                    tx.refunds().of(accountId, STATUS_REFUNDS).stream().map(Refund::of).toList(), tx.events().list(new EventStore.Filter(accountId, null, null, 5)).stream().map(EventLog.StoredEvent::of).toList(), null);
        });
        if (!withStripe) {
            return s;
        }
        List<Subscription.Difference> differences = new java.util.ArrayList<>();
        if (s.subscription() != null) {
            Subscription live = ledger.read(stripe.get().subscription(s.subscription().id()).object());
            differences.addAll(s.subscription().differences(live));
        }
        return new Status(s.accountId(), s.customerId(), s.email(), s.subscription(), s.access(), s.effectivePlan(), s.credits(),
                s.licenses(), s.refunds(), s.events(), differences);
    }
}
