package dev.billingcli.support;

import com.stripe.param.checkout.SessionCreateParams;
import dev.billingcli.BillingException;
import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.Cycle;
import dev.billingcli.catalog.Plan;
import dev.billingcli.catalog.PlanPrice;
import dev.billingcli.store.AccountStore;
import dev.billingcli.store.AuditLog;
import dev.billingcli.store.CreditLedger;
import dev.billingcli.store.EventStore;
import dev.billingcli.store.LicenseStore;
import dev.billingcli.store.Database;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.stripe.CatalogGateway;
import dev.billingcli.stripe.SubscriptionGateway;
import dev.billingcli.stripe.SubscriptionGateway.StripeState;
import dev.billingcli.subscription.EffectiveAccess;
import dev.billingcli.subscription.Subscription;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

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

    public SupportService(Catalog catalog, Database database, Supplier<SubscriptionGateway> stripe, String actor) {
        this.catalog = catalog;
        this.database = database;
        this.stripe = stripe;
        this.actor = actor;
    }

    // ------------------------------------------------------------------ shared

    /** Statuses of a subscription that is still running (or about to): a second checkout would double-bill. */
    static boolean live(Subscription s) {
        return s != null && !s.canceled() && !"incomplete_expired".equals(s.status());
    }

    Optional<String> planOfLookupKey(String lookupKey) {
        return catalog.priceByLookupKey(lookupKey).map(PlanPrice::planId);
    }

    /** Exit 1 for an account the database does not know. */
    static void requireAccount(Handle h, String accountId) {
        if (!AccountStore.exists(h, accountId)) {
            throw BillingException.notFound("no account " + accountId + " in the database (accounts come from checkout, webhooks or sync)");
        }
    }

    private Subscription liveSubscription(Handle h, String accountId, String forWhat) {
        requireAccount(h, accountId);
        Subscription s = SubscriptionStore.currentOf(h, accountId).orElse(null);
        if (!live(s)) {
            throw BillingException.notFound(accountId + " has no running subscription" + (s != null ? " (the last one is " + s.status() + ")" : "")
                    + " to " + forWhat);
        }
        return s;
    }

    /** Writes Stripe's answer, unless the row already holds a newer state (an event that came first). */
    private Subscription store(Handle h, StripeState answer, String source) {
        Subscription s = Subscription.fromStripe(answer.object(), this::planOfLookupKey);
        String customerAccount = AccountStore.accountOfCustomer(h, s.customerId()).orElse(null);
        if (s.accountId() == null && customerAccount != null) {
            s = s.withAccount(customerAccount);
        }
        String eventId = source + ":" + answer.requestId();
        if (!SubscriptionStore.insertIfAbsent(h, s, answer.asOf(), eventId)) {
            SubscriptionStore.replace(h, s, answer.asOf(), eventId);
        }
        return s;
    }

    static Map<String, Object> summary(Subscription s) {
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
        return m;
    }

    // ------------------------------------------------------------------ checkout

    public enum Ui { HOSTED, EMBEDDED }

    /** @param cycle null: monthly when the plan has it, else the plan's only price; @param trialDays null: the plan's */
    public record CheckoutRequest(String accountId, String planId, Cycle cycle, String email, Ui ui, Integer trialDays, int quantity,
            boolean promotionCodes, String successUrl, String cancelUrl, String returnUrl, boolean allowSecond) {}

    public record CheckoutResult(String sessionId, String url, String clientSecret, String mode, String customerId,
            boolean customerCreated, String priceId, PlanPrice price, int trialDays) {}

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
        String existingCustomer = database.jdbi().withHandle(h -> {
            if (cycle.recurring() && !r.allowSecond()) {
                Subscription current = SubscriptionStore.currentOf(h, r.accountId()).orElse(null);
                if (live(current)) {
                    throw BillingException.invalid(r.accountId() + " already has " + (current.status().matches("[aeiou].*") ? "an " : "a ") + current.status() + " subscription " + current.id()
                            + (current.planId() != null ? " (" + current.planId() + ")" : "") + ": change it with 'billing portal --account " + r.accountId()
                            + " --flow update', or pass --allow-second");
                }
            }
            return AccountStore.customerOf(h, r.accountId()).orElse(null);
        });

        SubscriptionGateway gateway = stripe.get();
        gateway.access().checkWritesAllowed();
        String priceId = new CatalogGateway(gateway.access()).pricesByLookupKeys(List.of(price.lookupKey())).stream()
                .filter(p -> p.active() && price.lookupKey().equals(p.lookupKey())).map(CatalogGateway.StripePrice::id).findFirst()
                .orElseThrow(() -> BillingException.notFound("no active price with lookup key " + price.lookupKey()
                        + " in Stripe: run 'billing stripe:setup'"));

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
            database.jdbi().useTransaction(h -> {
                AccountStore.linkCustomer(h, r.accountId(), linked);
                AuditLog.record(h, actor, "checkout", r.accountId(), madeNow ? "created Stripe customer" : "linked Stripe customer",
                        null, Map.of("stripe_customer_id", linked));
            });
        }

        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(SubscriptionGateway.ACCOUNT_ID, r.accountId());
        metadata.put("billing_plan", plan.id());
        metadata.put("billing_cycle", cycle.key());
        SessionCreateParams.Builder b = SessionCreateParams.builder()
                .setMode(cycle.recurring() ? SessionCreateParams.Mode.SUBSCRIPTION : SessionCreateParams.Mode.PAYMENT)
                .setCustomer(customer)
                .setClientReferenceId(r.accountId())
                .putAllMetadata(metadata)
                .addLineItem(SessionCreateParams.LineItem.builder().setPrice(priceId).setQuantity((long) r.quantity()).build());
        if (r.promotionCodes()) {
            b.setAllowPromotionCodes(true);
        }
        if (r.ui() == Ui.EMBEDDED) {
            b.setUiMode(SessionCreateParams.UiMode.EMBEDDED_PAGE).setReturnUrl(returnUrl);
        } else {
            b.setUiMode(SessionCreateParams.UiMode.HOSTED_PAGE).setSuccessUrl(successUrl);
            if (cancelUrl != null) {
                b.setCancelUrl(cancelUrl);
            }
        }
        if (cycle.recurring()) {
            SessionCreateParams.SubscriptionData.Builder sd = SessionCreateParams.SubscriptionData.builder().putAllMetadata(metadata);
            if (trialDays > 0) {
                sd.setTrialPeriodDays((long) trialDays);
            }
            b.setSubscriptionData(sd.build());
        } else {
            b.setPaymentIntentData(SessionCreateParams.PaymentIntentData.builder().putAllMetadata(metadata).build());
        }
        SubscriptionGateway.CheckoutSession session = gateway.createCheckoutSession(b.build());
        String customerId = customer;
        database.jdbi().useTransaction(h -> {
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("checkout_session", session.id());
            after.put("plan", plan.id());
            after.put("cycle", cycle.key());
            after.put("mode", session.mode());
            after.put("stripe_customer_id", customerId);
            AuditLog.record(h, actor, "checkout", r.accountId(), null, null, after);
        });
        return new CheckoutResult(session.id(), session.url(), session.clientSecret(), session.mode(), customer, created, priceId, price,
                trialDays);
    }

    // ------------------------------------------------------------------ portal

    public enum Flow { CANCEL, UPDATE, PAYMENT_METHOD }

    public String portal(String accountId, String returnUrl, Flow flow) {
        record Target(String customer, String subscription) {}
        Target t = database.jdbi().withHandle(h -> {
            requireAccount(h, accountId);
            String customer = AccountStore.customerOf(h, accountId).orElseThrow(() -> BillingException.notFound(
                    accountId + " has no Stripe customer yet: start with 'billing checkout --account " + accountId + " --plan …'"));
            String sub = flow == Flow.CANCEL || flow == Flow.UPDATE
                    ? liveSubscription(h, accountId, flow == Flow.CANCEL ? "cancel" : "update").id() : null;
            return new Target(customer, sub);
        });
        String url = returnUrl != null ? returnUrl : catalog.portal() != null ? catalog.portal().returnUrl() : null;
        var b = com.stripe.param.billingportal.SessionCreateParams.builder().setCustomer(t.customer());
        if (url != null) {
            b.setReturnUrl(url);
        }
        if (flow != null) {
            var fb = com.stripe.param.billingportal.SessionCreateParams.FlowData.builder();
            switch (flow) {
                case CANCEL -> fb.setType(com.stripe.param.billingportal.SessionCreateParams.FlowData.Type.SUBSCRIPTION_CANCEL)
                        .setSubscriptionCancel(com.stripe.param.billingportal.SessionCreateParams.FlowData.SubscriptionCancel.builder()
                                .setSubscription(t.subscription()).build());
                case UPDATE -> fb.setType(com.stripe.param.billingportal.SessionCreateParams.FlowData.Type.SUBSCRIPTION_UPDATE)
                        .setSubscriptionUpdate(com.stripe.param.billingportal.SessionCreateParams.FlowData.SubscriptionUpdate.builder()
                                .setSubscription(t.subscription()).build());
                case PAYMENT_METHOD -> fb.setType(com.stripe.param.billingportal.SessionCreateParams.FlowData.Type.PAYMENT_METHOD_UPDATE);
            }
            b.setFlowData(fb.build());
        }
        String session = stripe.get().createPortalSession(b.build());
        database.jdbi().useTransaction(h -> AuditLog.record(h, actor, "portal", accountId, null, null,
                Map.of("flow", flow == null ? "home" : flow.name().toLowerCase(java.util.Locale.ROOT))));
        return session;
    }

    // ------------------------------------------------------------------ cancel, reactivate

    public enum CancelMode { AT_PERIOD_END, NOW, AT }

    public record Change(Subscription before, Subscription after, String message) {}

    public Change cancel(String accountId, CancelMode mode, Instant at, String reason) {
        Subscription current = database.jdbi().withHandle(h -> liveSubscription(h, accountId, "cancel"));
        if (mode == CancelMode.AT && !at.isAfter(Instant.now())) {
            throw BillingException.invalid("--at must be in the future (use --now to cancel at once)");
        }
        SubscriptionGateway gateway = stripe.get();
        gateway.access().checkWritesAllowed();
        StripeState answer = switch (mode) {
            case AT_PERIOD_END -> gateway.cancelAtPeriodEnd(current.id());
            case AT -> gateway.cancelAt(current.id(), at.getEpochSecond());
            case NOW -> gateway.cancelNow(current.id(), reason);
        };
        Subscription after = database.jdbi().inTransaction(h -> {
            Subscription s = store(h, answer, "cancel");
            AuditLog.record(h, actor, "cancel", accountId, reason, summary(current), summary(s));
            return s;
        });
        return new Change(current, after, cancelMessage(mode, after));
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
    public Change reactivate(String accountId, String reason) {
        Subscription stored = database.jdbi().withHandle(h -> {
            requireAccount(h, accountId);
            return SubscriptionStore.currentOf(h, accountId).orElseThrow(() -> BillingException.notFound(
                    accountId + " has no subscription: start one with 'billing checkout --account " + accountId + " --plan …'"));
        });
        SubscriptionGateway gateway = stripe.get();
        StripeState live = gateway.subscription(stored.id());
        Subscription now = Subscription.fromStripe(live.object(), this::planOfLookupKey);
        if (now.canceled() || "incomplete_expired".equals(now.status())) {
            Instant ended = now.endedAt() != null ? now.endedAt() : now.canceledAt();
            database.jdbi().useTransaction(h -> store(h, live, "reactivate"));
            throw BillingException.notFound(now.id() + " ended" + (ended != null ? " on " + ended.toString().substring(0, 10) : "")
                    + "; start a new checkout ('billing checkout --account " + accountId + " --plan "
                    + (now.planId() != null ? now.planId() : "PLAN") + "')");
        }
        if (!now.cancelScheduled()) {
            database.jdbi().useTransaction(h -> store(h, live, "reactivate"));
            return new Change(now, null, "nothing to reactivate: " + now.id() + " is " + now.status() + " with no cancellation scheduled");
        }
        gateway.access().checkWritesAllowed();
        StripeState answer = now.cancelAtPeriodEnd() ? gateway.keepUntilFurtherNotice(now.id()) : gateway.clearCancelAt(now.id());
        Subscription after = database.jdbi().inTransaction(h -> {
            Subscription s = store(h, answer, "reactivate");
            AuditLog.record(h, actor, "reactivate", accountId, reason, summary(now), summary(s));
            return s;
        });
        return new Change(now, after, reactivateMessage(now, after));
    }

    // ------------------------------------------------------------------ status

    /** One field that differs between the database and Stripe. */
    public record Difference(String field, String database, String stripe) {}

    /**
     * @param subscription the newest subscription, or null
     * @param differences null when Stripe was not asked
     */
    public record Status(String accountId, String customerId, String email, Subscription subscription, EffectiveAccess access,
            Plan effectivePlan, long credits, List<LicenseStore.License> licenses, List<EventStore.StoredEvent> events,
            List<Difference> differences) {}

    public Status status(String accountId, boolean withStripe, Instant now) {
        Status s = database.jdbi().withHandle(h -> {
            requireAccount(h, accountId);
            Subscription sub = SubscriptionStore.currentOf(h, accountId).orElse(null);
            String free = catalog.freePlan().map(Plan::id).orElse(null);
            EffectiveAccess access = EffectiveAccess.of(sub, free, catalog.gracePeriodDays(), now);
            Plan plan = access.planId() == null ? null : catalog.plans().get(access.planId());
            String email = h.createQuery("select email from accounts where account_id = :a").bind("a", accountId).mapTo(String.class)
                    .findOne().orElse(null);
            return new Status(accountId, AccountStore.customerOf(h, accountId).orElse(null), email, sub, access, plan,
                    CreditLedger.balance(h, accountId), LicenseStore.of(h, accountId),
                    EventStore.list(h, new EventStore.Filter(accountId, null, null, 5)), null);
        });
        if (!withStripe) {
            return s;
        }
        List<Difference> differences = new java.util.ArrayList<>();
        if (s.subscription() != null) {
            Subscription live = Subscription.fromStripe(stripe.get().subscription(s.subscription().id()).object(), this::planOfLookupKey);
            differences.addAll(differences(s.subscription(), live));
        }
        return new Status(s.accountId(), s.customerId(), s.email(), s.subscription(), s.access(), s.effectivePlan(), s.credits(),
                s.licenses(), s.events(), differences);
    }

    /** Every field where the database's row and Stripe's subscription disagree. */
    static List<Difference> differences(Subscription db, Subscription stripe) {
        List<Difference> out = new java.util.ArrayList<>();
        compare(out, "status", db.status(), stripe.status());
        compare(out, "plan", db.planId(), stripe.planId());
        compare(out, "price", db.priceId(), stripe.priceId());
        compare(out, "interval", db.interval(), stripe.interval());
        compare(out, "quantity", db.quantity(), stripe.quantity());
        compare(out, "current_period_start", db.currentPeriodStart(), stripe.currentPeriodStart());
        compare(out, "current_period_end", db.currentPeriodEnd(), stripe.currentPeriodEnd());
        compare(out, "cancel_at_period_end", db.cancelAtPeriodEnd(), stripe.cancelAtPeriodEnd());
        compare(out, "cancel_at", db.cancelAt(), stripe.cancelAt());
        compare(out, "canceled_at", db.canceledAt(), stripe.canceledAt());
        compare(out, "ended_at", db.endedAt(), stripe.endedAt());
        compare(out, "trial_end", db.trialEnd(), stripe.trialEnd());
        compare(out, "customer", db.customerId(), stripe.customerId());
        return out;
    }

    private static void compare(List<Difference> out, String field, Object db, Object stripe) {
        if (!java.util.Objects.equals(db, stripe)) {
            out.add(new Difference(field, db == null ? null : db.toString(), stripe == null ? null : stripe.toString()));
        }
    }
}
