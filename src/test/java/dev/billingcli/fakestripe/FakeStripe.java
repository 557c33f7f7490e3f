package dev.billingcli.fakestripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.http.LoggedResponse;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small stateful Stripe on loopback for tests, on WireMock: one catch-all stub whose answers come
 * from the routes in {@link Resources} and {@link SupportResources} (a WireMock extension), WireMock's
 * request journal behind {@link #requests()}, and its faults and delays through {@link #stub}.
 * Every request and every answer is checked against Stripe's OpenAPI description
 * ({@link StripeOpenApi}); a request Stripe would reject gets Stripe's 400, and either kind of
 * mismatch is recorded as a violation, which {@link FakeStripeExtension} turns into a test failure.
 * It behaves like a fresh test-mode account, keeps objects in memory, replays idempotent requests
 * like Stripe (the first answer, a 500 included), and can fail chosen writes.
 */
public final class FakeStripe implements AutoCloseable {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** One request as received. @param params query (GET/DELETE) or form body (POST), decoded */
    public record Request(String method, String path, Map<String, Object> params, String idempotencyKey, String stripeVersion) {
        public boolean write() {
            return !method.equals("GET");
        }

        /** The parameters as Stripe's form field names and values ({@code currency_options[usd][unit_amount]=1090}), sorted. */
        public java.util.SortedMap<String, String> fields() {
            java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
            flatten("", params, out);
            return out;
        }

        private static void flatten(String prefix, Object value, java.util.SortedMap<String, String> out) {
            if (value instanceof Map<?, ?> m) {
                m.forEach((k, v) -> flatten(prefix.isEmpty() ? (String) k : prefix + "[" + k + "]", v, out));
            } else if (value instanceof List<?> l) {
                for (int i = 0; i < l.size(); i++) {
                    flatten(prefix + "[" + i + "]", l.get(i), out);
                }
            } else {
                out.put(prefix, String.valueOf(value));
            }
        }

        @Override
        public String toString() {
            return method + " " + path + " " + params;
        }
    }

    record Response(int status, String body, Map<String, String> headers) {}

    interface Handler {
        Response handle(Matcher path, Map<String, Object> params) throws ApiError;
    }

    private record Route(String method, Pattern pattern, Handler handler) {}

    /** A Stripe error answer. */
    static final class ApiError extends Exception {
        final int status;
        final String type;
        final String code;

        ApiError(int status, String type, String code, String message) {
            super(message);
            this.status = status;
            this.type = type;
            this.code = code;
        }
    }

    private static final String STATEFUL = "stateful-stripe";
    private final WireMockServer server;
    private final List<Route> routes = new ArrayList<>();
    private final List<Request> inFlight = Collections.synchronizedList(new ArrayList<>());
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Response> idempotent = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1000);
    private final AtomicLong clock = new AtomicLong(1_780_000_000L);
    private final AtomicInteger writeCount = new AtomicInteger();
    private final Map<Integer, Integer> failWrites = new ConcurrentHashMap<>();
    private final AtomicInteger writesBeforeOutage = new AtomicInteger(Integer.MAX_VALUE);
    /** Every item price change applied, in order: what a test counts to see that no subscription moved twice. */
    final List<PriceChange> priceChanges = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean restrictedReadOnly;
    /** Stripe Tax's head office country; null on a fresh account, whose tax settings are pending. */
    volatile String taxHeadOffice;
    private final Object gate = new Object();
    private boolean holding;
    private final Set<String> revokedKeys = ConcurrentHashMap.newKeySet();
    private volatile Long pinnedClock;
    /** The {@code Date} of every answer (Stripe's wall clock, one-second resolution); null: the real time. */
    private volatile java.time.Instant answerDate;
    private volatile int validateEvery = 1;
    private final AtomicLong answers = new AtomicLong();
    private List<ObjectNode> subscriptionsNewestFirst = List.of();
    private int subscriptionsIndexed = -1;
    private final AtomicInteger subscriptionsReplaced = new AtomicInteger();
    private int subscriptionsIndexedVersion = -1;
    private volatile String failReadsPath;
    private final AtomicInteger readsBeforeFailing = new AtomicInteger();
    // the opt-in realistic mode: latency per answer, and Stripe's rate limiter
    private volatile long latencyMinMillis;
    private volatile long latencyMaxMillis;
    private final Object bucketLock = new Object();
    private int ratePerSecond;
    private double tokens;
    private long refilledAt;
    private final AtomicInteger rateLimited = new AtomicInteger();

    // the account's objects, in creation order
    final Map<String, ObjectNode> products = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> prices = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> customers = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> subscriptions = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> portalConfigurations = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> webhookEndpoints = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> checkoutSessions = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> portalSessions = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> events = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> coupons = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> promotionCodes = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> subscriptionSchedules = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> invoices = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> invoicePayments = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> refunds = Collections.synchronizedMap(new LinkedHashMap<>());
    /** A discount's coupon, by discount id (Stripe answers a subscription's discounts as ids unless expanded). */
    final Map<String, String> discountCoupons = new ConcurrentHashMap<>();

    private FakeStripe() {
        StripeOpenApi.shared(); // parsed once per JVM, before the first request waits for it
        server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .containerThreads(64).jettyAcceptors(1).stubRequestLoggingDisabled(true)
                .extensions(new StatefulStripe(), new ResponseCheck()));
        Resources.register(this);
        server.start();
        server.stubFor(WireMock.any(WireMock.anyUrl()).atPriority(10).willReturn(WireMock.aResponse().withTransformers(STATEFUL)));
    }

    public static FakeStripe start() {
        return new FakeStripe();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    // ------------------------------------------------------------------ test controls

    /** Every request answered since the start or the last {@link #clearRequests()}, oldest first (WireMock's journal). */
    public List<Request> requests() {
        List<ServeEvent> events = new ArrayList<>(server.getAllServeEvents());
        Collections.reverse(events); // the journal lists the newest first
        return events.stream().map(e -> request(e.getRequest())).toList();
    }

    public List<Request> writes() {
        return requests().stream().filter(Request::write).toList();
    }

    public long count(String method, String pathPrefix) {
        return requests().stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).count();
    }

    public void clearRequests() {
        server.resetRequests();
    }

    /**
     * A stub of the test's own in front of the stand-in, for what WireMock does better than a
     * stateful fake: faults ({@code withFault(Fault.CONNECTION_RESET_BY_PEER)}), delays, a 429
     * burst through scenario states. Its answers are checked against the description like any other.
     */
    public void stub(com.github.tomakehurst.wiremock.client.MappingBuilder mapping) {
        server.stubFor(mapping.atPriority(1));
    }

    /** Requests Stripe would have rejected as malformed, and answers Stripe would not send: each one is a test failure. */
    public List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    /** A subscription item's price changed by an update: from one price to another. */
    public record PriceChange(String subscriptionId, String fromPriceId, String toPriceId) {}

    public List<PriceChange> priceChanges() {
        synchronized (priceChanges) {
            return List.copyOf(priceChanges);
        }
    }

    /**
     * After {@code n} more writes, the stand-in goes down for writes: each further one is dropped with a connection reset
     * before anything is done (a crash of the network or of Stripe's edge), until {@link #restoreWrites()}.
     */
    public void dropWritesAfter(int n) {
        writesBeforeOutage.set(n);
    }

    public void restoreWrites() {
        writesBeforeOutage.set(Integer.MAX_VALUE);
    }

    /** The nth write from now (1 = the next) answers with this status, as Stripe would. */
    public void failWrite(int nth, int status) {
        failWrites.put(writeCount.get() + nth, status);
    }

    /**
     * From now on, requests are received but not answered until {@link #releaseResponses()} (a hung
     * network). A gate, not a WireMock delay: WireMock's delays are fixed or random durations, and a
     * test here needs "until I say so".
     */
    public void holdResponses() {
        synchronized (gate) {
            holding = true;
        }
    }

    public void releaseResponses() {
        synchronized (gate) {
            holding = false;
            gate.notifyAll();
        }
    }

    /**
     * Waits until a request to a path starting with {@code pathPrefix} has been received (answered,
     * or held by {@link #holdResponses()}: WireMock journals a request only once it is answered).
     */
    public void awaitRequest(String method, String pathPrefix, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (gate) {
            while (count(method, pathPrefix) == 0 && List.copyOf(inFlight).stream()
                    .noneMatch(r -> r.method().equals(method) && r.path().startsWith(pathPrefix))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + method + " " + pathPrefix + " request within " + timeout);
                }
                gate.wait(Math.max(1, Math.min(20, left / 1_000_000))); // an answered request is seen in the journal
            }
        }
    }

    /**
     * Stripe's speed from here on: every answer but a rate-limited one leaves after a random delay between
     * {@code min} and {@code max} (uniform, per request), as Stripe's own take a few hundred milliseconds
     * (a page of 100 subscriptions with customers expanded: 300–700 ms). The journal shows the request
     * once it is answered. {@code Duration.ZERO, Duration.ZERO} turns it off.
     */
    public FakeStripe latency(java.time.Duration min, java.time.Duration max) {
        if (min.isNegative() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("latency " + min + ".." + max);
        }
        latencyMinMillis = min.toMillis();
        latencyMaxMillis = max.toMillis();
        return this;
    }

    /**
     * Stripe's rate limiter from here on: at most {@code requestsPerSecond} requests a second for the
     * account (Stripe's global limit counts every operation of the account: 25/s in test mode, 100/s
     * live, https://docs.stripe.com/rate-limits), a token bucket holding one second's worth. A request
     * over the limit is answered at once with Stripe's 429 (type {@code invalid_request_error}, code
     * {@code rate_limit}) without a {@code Stripe-Should-Retry} header: Stripe's libraries retry a 429
     * by themselves only when it is a lock timeout (stripe-php #718), the client must back off itself.
     * A refused request takes no token and changes nothing. 0 turns it off.
     */
    public FakeStripe rateLimit(int requestsPerSecond) {
        if (requestsPerSecond < 0) {
            throw new IllegalArgumentException("rate " + requestsPerSecond);
        }
        synchronized (bucketLock) {
            ratePerSecond = requestsPerSecond;
            tokens = requestsPerSecond;
            refilledAt = System.nanoTime();
        }
        return this;
    }

    /** How many requests the rate limit of {@link #rateLimit} refused with 429 so far. */
    public int rateLimitedCount() {
        return rateLimited.get();
    }

    /** Waits until {@link #rateLimit}'s bucket holds a token again (none taken); false when it does not within {@code timeout}. */
    public boolean awaitRateLimitToken(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (bucketLock) {
            while (ratePerSecond > 0 && refill() < 1) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // the refill is a function of time: wait exactly until one token has accrued
                long needed = (long) Math.ceil((1 - tokens) * 1e9 / ratePerSecond);
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(bucketLock, Math.max(1, Math.min(left, needed)));
            }
            return true;
        }
    }

    /** The bucket's tokens now (under bucketLock). */
    private double refill() {
        long now = System.nanoTime();
        tokens = Math.min(ratePerSecond, tokens + (now - refilledAt) * ratePerSecond / 1e9);
        refilledAt = now;
        return tokens;
    }

    /** Whether this request may go now (takes a token), under {@link #rateLimit}. */
    private boolean admit() {
        synchronized (bucketLock) {
            if (ratePerSecond == 0) {
                return true;
            }
            if (refill() >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }

    /**
     * Objects made from now on get this {@code created} second (many subscriptions of one import share a
     * second at Stripe), subscriptions from {@link #newSubscription} too (else made at their period start);
     * null lets the clock run again (one second per object).
     */
    public void pinClock(Long epochSecond) {
        pinnedClock = epochSecond;
    }

    Long pinnedClock() {
        return pinnedClock;
    }

    /**
     * Answers from now on carry this {@code Date} header (Stripe's clock when it answered, which billing keeps as the time
     * of the state an answer holds), so that a test can put several answers in one second; null: the real time.
     */
    public void answerDate(java.time.Instant date) {
        answerDate = date;
    }

    /**
     * After {@code okReads} more answered GETs of paths starting with {@code pathPrefix}, every further one
     * gets Stripe's 500 (an outage in the middle of a long read); null turns it off.
     */
    public void failReadsAfter(String pathPrefix, int okReads) {
        readsBeforeFailing.set(okReads);
        failReadsPath = pathPrefix;
    }

    /**
     * For benchmarks only: every request is still validated, but only every {@code n}th answer (validating
     * a page of 100 subscriptions with their customers costs the stand-in about 80 ms of CPU). Tests keep 1.
     */
    public void validateEveryNthAnswer(int n) {
        validateEvery = Math.max(1, n);
    }

    /**
     * The subscriptions newest first (as Stripe lists them) whose {@code created} lies in the list request's
     * range: a sorted index, rebuilt when subscriptions were added or replaced, and a binary search, so a large account's
     * windowed list does not scan every subscription. Called under the dispatch lock.
     */
    List<ObjectNode> subscriptionsNewestFirst(Map<String, Object> params) {
        if (subscriptionsIndexed != subscriptions.size() || subscriptionsIndexedVersion != subscriptionsReplaced.get()) {
            subscriptionsIndexedVersion = subscriptionsReplaced.get();
            List<ObjectNode> all = new ArrayList<>(subscriptions());
            subscriptionsIndexed = all.size();
            Collections.reverse(all);
            all.sort(java.util.Comparator.comparingLong((ObjectNode o) -> o.get("created").asLong()).reversed());
            subscriptionsNewestFirst = all;
        }
        List<ObjectNode> all = subscriptionsNewestFirst;
        Predicate<JsonNode> inRange = created(params);
        // the range is contiguous in this order: find its ends by binary search on created
        Object c = params.get("created");
        long upper = Long.MAX_VALUE;
        long lower = Long.MIN_VALUE;
        if (c instanceof Map<?, ?> range) {
            if (range.get("lt") != null) {
                upper = Long.parseLong((String) range.get("lt")) - 1;
            }
            if (range.get("lte") != null) {
                upper = Math.min(upper, Long.parseLong((String) range.get("lte")));
            }
            if (range.get("gte") != null) {
                lower = Long.parseLong((String) range.get("gte"));
            }
            if (range.get("gt") != null) {
                lower = Math.max(lower, Long.parseLong((String) range.get("gt")) + 1);
            }
        } else if (c instanceof String exact) {
            upper = lower = Long.parseLong(exact);
        }
        int from = firstAtOrBelow(all, upper);
        int to = lower == Long.MIN_VALUE ? all.size() : firstAtOrBelow(all, lower - 1);
        return all.subList(from, Math.max(from, to)).stream().filter(inRange).toList();
    }

    /** The first index whose created is at most {@code t}, in a list sorted by created descending. */
    private static int firstAtOrBelow(List<ObjectNode> newestFirst, long t) {
        int lo = 0;
        int hi = newestFirst.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (newestFirst.get(mid).get("created").asLong() > t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** This key is refused with 401, as Stripe refuses a rolled or deleted key. */
    public void revokeKey(String key) {
        revokedKeys.add(key);
    }

    /**
     * The account has saved its customer portal settings in the Dashboard: a default configuration
     * exists, and portal sessions without {@code configuration} use it. A fresh account has none.
     */
    public synchronized void dashboardPortalDefault(boolean saved) {
        boolean exists = filter(portalConfigurations, c -> c.get("is_default").asBoolean()).size() > 0;
        if (saved && !exists) {
            ObjectNode c = SupportResources.dashboardPortalConfiguration(this);
            portalConfigurations.put(c.get("id").asText(), c);
        } else if (!saved) {
            portalConfigurations.values().removeIf(c -> c.get("is_default").asBoolean());
        }
    }

    /**
     * Stripe Tax set up in the Dashboard with a head office in {@code country} (null: a fresh account, whose tax
     * settings are {@code pending} and which refuses automatic tax).
     */
    public void taxHeadOffice(String country) {
        taxHeadOffice = country;
    }

    /** Keys starting {@code rk_} may only read (a restricted key without write permissions). */
    public void restrictedKeysReadOnly(boolean on) {
        restrictedReadOnly = on;
    }

    public List<ObjectNode> products() {
        synchronized (products) {
            return List.copyOf(products.values());
        }
    }

    public List<ObjectNode> prices() {
        synchronized (prices) {
            return List.copyOf(prices.values());
        }
    }

    public List<ObjectNode> portalConfigurations() {
        synchronized (portalConfigurations) {
            return List.copyOf(portalConfigurations.values());
        }
    }

    public List<ObjectNode> customers() {
        synchronized (customers) {
            return List.copyOf(customers.values());
        }
    }

    public List<ObjectNode> checkoutSessions() {
        synchronized (checkoutSessions) {
            return List.copyOf(checkoutSessions.values());
        }
    }

    public List<ObjectNode> portalSessions() {
        synchronized (portalSessions) {
            return List.copyOf(portalSessions.values());
        }
    }

    public List<ObjectNode> subscriptions() {
        synchronized (subscriptions) {
            return List.copyOf(subscriptions.values());
        }
    }

    public ObjectNode subscription(String id) {
        return subscriptions.get(id);
    }

    public ObjectNode subscriptionSchedule(String id) {
        return subscriptionSchedules.get(id);
    }

    /** A customer made elsewhere, linked to an account through its metadata (or not, with null). */
    public synchronized ObjectNode newCustomer(String accountId) {
        ObjectNode c = object().put("id", newId("cus")).put("object", "customer").put("created", now()).put("livemode", false);
        ObjectNode md = c.putObject("metadata");
        if (accountId != null) {
            md.put("account_id", accountId);
        }
        customers.put(c.get("id").asText(), c);
        return c;
    }

    /**
     * A subscription as Stripe would hold it after a checkout: the price embedded in its one item,
     * the period on the item (the pinned API version), metadata as given.
     */
    public synchronized ObjectNode newSubscription(String customer, String priceId, String status, long periodStart, long periodEnd,
            Map<String, String> metadata) {
        ObjectNode price = prices.get(priceId);
        if (price == null) {
            throw new IllegalArgumentException("no price " + priceId);
        }
        return SupportResources.newSubscription(this, customer, price, status, periodStart, periodEnd, metadata);
    }

    /**
     * A paid invoice of a subscription's period, paid in one payment intent (its {@code invoice_payment}), as
     * Stripe holds it at the pinned API version.
     */
    public synchronized ObjectNode newPaidInvoice(String customer, String subscription, long amount, String currency, long periodStart,
            long periodEnd) {
        return MoneyResources.newPaidInvoice(this, customer, subscription, amount, currency, periodStart, periodEnd);
    }

    /**
     * A paid invoice of a subscription's period paid in several partial payments (Basil's multiple payments per
     * invoice), one payment intent each, {@code amounts} in the order they were made (a second apart).
     */
    public synchronized ObjectNode newInvoicePaidInParts(String customer, String subscription, String currency, long periodStart, long periodEnd,
            long... amounts) {
        long total = java.util.Arrays.stream(amounts).sum();
        ObjectNode invoice = MoneyResources.newPaidInvoice(this, customer, subscription, amounts[0], currency, periodStart, periodEnd);
        invoice.put("amount_due", total).put("amount_paid", total).put("subtotal", total).put("total", total);
        ObjectNode first = invoicePayments(invoice.get("id").asText()).get(0);
        for (int k = 1; k < amounts.length; k++) {
            ObjectNode payment = first.deepCopy().put("id", newId("inpay")).put("amount_paid", amounts[k]).put("amount_requested", amounts[k])
                    .put("created", first.get("created").asLong() + k).put("is_default", false);
            ((ObjectNode) payment.get("payment")).put("payment_intent", newId("pi"));
            ((ObjectNode) payment.get("status_transitions")).put("paid_at", first.get("created").asLong() + k);
            invoicePayments.put(payment.get("id").asText(), payment);
        }
        return invoice;
    }

    /** The invoice's payments, in creation order. */
    public List<ObjectNode> invoicePayments(String invoiceId) {
        return filter(invoicePayments, p -> p.get("invoice").asText().equals(invoiceId));
    }

    public List<ObjectNode> refunds() {
        synchronized (refunds) {
            return List.copyOf(refunds.values());
        }
    }

    public List<ObjectNode> webhookEndpoints() {
        synchronized (webhookEndpoints) {
            return List.copyOf(webhookEndpoints.values());
        }
    }

    /** Coupons not deleted, in creation order. */
    public List<ObjectNode> coupons() {
        synchronized (coupons) {
            return List.copyOf(coupons.values());
        }
    }

    public ObjectNode coupon(String id) {
        return coupons.get(id);
    }

    public List<ObjectNode> promotionCodes() {
        synchronized (promotionCodes) {
            return List.copyOf(promotionCodes.values());
        }
    }

    public ObjectNode product(String id) {
        return products.get(id);
    }

    public ObjectNode price(String id) {
        return prices.get(id);
    }

    /** Stores an object as if made elsewhere (the dashboard, another tool). */
    public ObjectNode put(String kind, ObjectNode object) {
        map(kind).put(object.get("id").asText(), object);
        if (kind.equals("subscription")) {
            subscriptionsReplaced.incrementAndGet(); // a replaced object: the list index is rebuilt
        }
        return object;
    }

    Map<String, ObjectNode> map(String kind) {
        return switch (kind) {
            case "product" -> products;
            case "price" -> prices;
            case "customer" -> customers;
            case "subscription" -> subscriptions;
            case "billing_portal.configuration" -> portalConfigurations;
            case "webhook_endpoint" -> webhookEndpoints;
            case "event" -> events;
            case "coupon" -> coupons;
            case "promotion_code" -> promotionCodes;
            case "subscription_schedule" -> subscriptionSchedules;
            case "invoice" -> invoices;
            case "invoice_payment" -> invoicePayments;
            case "refund" -> refunds;
            default -> throw new IllegalArgumentException(kind);
        };
    }

    // ------------------------------------------------------------------ helpers for resources

    String newId(String prefix) {
        return prefix + "_fake" + ids.incrementAndGet();
    }

    long now() {
        Long pinned = pinnedClock;
        return pinned != null ? pinned : clock.incrementAndGet();
    }

    ObjectNode object() {
        return F.objectNode();
    }

    ArrayNode array() {
        return F.arrayNode();
    }

    void route(String method, String regex, Handler handler) {
        routes.add(new Route(method, Pattern.compile("^" + regex + "$"), handler));
    }

    static Response ok(JsonNode body) {
        return new Response(200, body.toString(), Map.of());
    }

    /**
     * A list page as Stripe answers it: newest first ({@code created} descending; of one second, the one
     * made last first), {@code limit} (default 10) after the {@code starting_after} object.
     */
    ObjectNode list(String url, List<? extends JsonNode> inCreationOrder, Map<String, Object> params) {
        List<JsonNode> all = new ArrayList<>(inCreationOrder);
        if (inCreationOrder instanceof NewestFirst) {
            // already in Stripe's order
        } else if (all.stream().allMatch(o -> o.has("created"))) {
            Collections.reverse(all);
            all.sort(java.util.Comparator.comparingLong((JsonNode o) -> o.get("created").asLong()).reversed()); // stable: ties stay newest first
        } else {
            Collections.reverse(all);
        }
        int limit = params.containsKey("limit") ? Integer.parseInt((String) params.get("limit")) : 10;
        int start = 0;
        if (params.containsKey("starting_after")) {
            String after = (String) params.get("starting_after");
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).get("id").asText().equals(after)) {
                    start = i + 1;
                }
            }
        }
        ObjectNode list = object().put("object", "list").put("url", url);
        ArrayNode data = list.putArray("data");
        all.subList(Math.min(start, all.size()), Math.min(all.size(), start + limit)).forEach(data::add);
        list.put("has_more", start + limit < all.size());
        return list;
    }

    /**
     * Stripe's {@code created} filter of a list: {@code created=T} or any of {@code created[gt|gte|lt|lte]},
     * all of them applying; no filter keeps everything.
     */
    static Predicate<JsonNode> created(Map<String, Object> params) {
        Object c = params.get("created");
        if (c == null) {
            return o -> true;
        }
        if (c instanceof String exact) {
            long t = Long.parseLong(exact);
            return o -> o.get("created").asLong() == t;
        }
        Map<?, ?> range = (Map<?, ?>) c;
        long gt = range.get("gt") != null ? Long.parseLong((String) range.get("gt")) : Long.MIN_VALUE;
        long gte = range.get("gte") != null ? Long.parseLong((String) range.get("gte")) : Long.MIN_VALUE;
        long lt = range.get("lt") != null ? Long.parseLong((String) range.get("lt")) : Long.MAX_VALUE;
        long lte = range.get("lte") != null ? Long.parseLong((String) range.get("lte")) : Long.MAX_VALUE;
        return o -> {
            long t = o.get("created").asLong();
            return t > gt && t >= gte && t < lt && t <= lte;
        };
    }

    /** A list already in Stripe's order, newest first (from {@link #subscriptionsNewestFirst}). */
    static final class NewestFirst extends ArrayList<ObjectNode> {
        NewestFirst(List<ObjectNode> objects) {
            super(objects);
        }
    }

    static List<ObjectNode> filter(Map<String, ObjectNode> objects, Predicate<ObjectNode> keep) {
        synchronized (objects) {
            return objects.values().stream().filter(keep).toList();
        }
    }

    static ApiError missing(String kind, String id) {
        return new ApiError(404, "invalid_request_error", "resource_missing", "No such " + kind + ": '" + id + "'");
    }

    static ApiError invalid(String message) {
        return new ApiError(400, "invalid_request_error", null, message);
    }

    // ------------------------------------------------------------------ serving

    /**
     * The stateful part, as a WireMock extension on the catch-all stub: key check, request validation,
     * the hold gate, idempotent replay, injected write failures, then the route's handler.
     */
    private final class StatefulStripe implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return STATEFUL;
        }

        @Override
        public boolean applyGlobally() {
            return false; // a test's own stub (a fault, a delay) answers as it says
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            LoggedRequest http = event.getRequest();
            Request request = request(http);
            if (request.write() && writesBeforeOutage.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : n - 1) <= 0) {
                return ResponseDefinitionBuilder.responseDefinition()
                        .withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER).build();
            }
            inFlight.add(request);
            try {
                synchronized (gate) {
                    gate.notifyAll(); // for awaitRequest
                    while (holding) {
                        try {
                            gate.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                }
                Response response = admit() ? respond(http, request) : rateLimitedAnswer();
                ResponseDefinitionBuilder out = ResponseDefinitionBuilder.responseDefinition().withStatus(response.status())
                        .withBody(response.body()).withHeader("Content-Type", "application/json")
                        .withHeader("Request-Id", "req_fake" + ids.incrementAndGet())
                        .withHeader("Date", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                                (answerDate != null ? answerDate : java.time.Instant.now()).atZone(java.time.ZoneOffset.UTC)));
                if (response.status() != 429 && latencyMaxMillis > 0) {
                    // WireMock waits after this transformer, outside every lock: many answers are on their way at once, as at Stripe
                    out.withUniformRandomDelay((int) latencyMinMillis, (int) latencyMaxMillis);
                }
                response.headers().forEach(out::withHeader);
                return out.build();
            } finally {
                inFlight.remove(request);
            }
        }
    }

    private Response rateLimitedAnswer() {
        rateLimited.incrementAndGet();
        ObjectNode err = F.objectNode();
        err.putObject("error").put("type", "invalid_request_error").put("code", "rate_limit")
                .put("doc_url", "https://stripe.com/docs/error-codes/rate-limit")
                .put("message", "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.");
        return new Response(429, err.toString(), Map.of());
    }

    /** Every answer, the stateful ones and a test's own stubs alike, is checked against the description before it is sent. */
    private final class ResponseCheck implements ServeEventListener {
        @Override
        public String getName() {
            return "stripe-response-check";
        }

        @Override
        public void beforeResponseSent(ServeEvent event, Parameters parameters) {
            if (event.getResponseDefinition().getFault() != null) {
                return; // a dropped connection has no shape
            }
            if (answers.incrementAndGet() % validateEvery != 0) {
                return;
            }
            LoggedResponse response = event.getResponse();
            String method = event.getRequest().getMethod().getName();
            String path = pathOf(event.getRequest().getUrl());
            StripeOpenApi.shared().validateResponse(method, path, response.getStatus(),
                    response.getHeaders().getContentTypeHeader().isPresent() ? response.getHeaders().getContentTypeHeader().firstValue() : null,
                    response.getBodyAsString()).forEach(v -> violations.add("response " + v));
        }
    }

    private static String pathOf(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    private static String queryOf(String url) {
        int q = url.indexOf('?');
        return q < 0 ? null : url.substring(q + 1);
    }

    private static Request request(LoggedRequest http) {
        String method = http.getMethod().getName();
        Map<String, Object> params = StripeOpenApi.decode(queryOf(http.getUrl()));
        params.putAll(StripeOpenApi.decode(http.getBodyAsString()));
        return new Request(method, pathOf(http.getUrl()), params, http.getHeader("Idempotency-Key"), http.getHeader("Stripe-Version"));
    }

    private Response respond(LoggedRequest http, Request request) {
        String auth = http.getHeader("Authorization");
        String apiKey = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
        if (!apiKey.matches("(sk|rk)_(test|live)_\\w+") || revokedKeys.contains(apiKey)) {
            return error(new ApiError(401, "invalid_request_error", null, "Invalid API Key provided: " + apiKey));
        }
        List<String> problems = StripeOpenApi.shared().validateRequest(request.method(), request.path(), queryOf(http.getUrl()), http.getBodyAsString());
        if (!problems.isEmpty()) {
            problems.forEach(p -> violations.add("request " + p));
            return error(invalid(String.join("; ", problems)));
        }
        if (request.write() && restrictedReadOnly && apiKey.startsWith("rk_")) {
            return error(new ApiError(403, "invalid_request_error", null,
                    "The provided key does not have the required permissions for this endpoint"));
        }
        if (request.write() && request.idempotencyKey() != null) {
            Response earlier = idempotent.get(request.idempotencyKey());
            if (earlier != null) {
                return new Response(earlier.status(), earlier.body(), Map.of("Idempotent-Replayed", "true"));
            }
        }
        String failing = failReadsPath;
        if (!request.write() && failing != null && request.path().startsWith(failing) && readsBeforeFailing.getAndDecrement() <= 0) {
            return new Response(500, errorBody(new ApiError(500, "api_error", null, "An unknown error occurred")), Map.of());
        }
        Response response;
        if (request.write()) {
            Integer failWith = failWrites.remove(writeCount.incrementAndGet());
            if (failWith != null) {
                response = failWith == 429
                        ? new Response(429, errorBody(new ApiError(429, "invalid_request_error", "rate_limit", "Too many requests")),
                                Map.of("Stripe-Should-Retry", "true"))
                        : new Response(failWith, errorBody(new ApiError(failWith, "api_error", null, "An unknown error occurred")), Map.of());
                if (failWith != 429 && request.idempotencyKey() != null) {
                    // Stripe keeps the first answer for a key, a 500 included; a 429 is not kept.
                    idempotent.put(request.idempotencyKey(), response);
                }
                return response;
            }
        }
        response = dispatch(request);
        if (request.write() && request.idempotencyKey() != null && response.status() < 500) {
            idempotent.put(request.idempotencyKey(), response);
        }
        return response;
    }

    private Response dispatch(Request request) {
        for (Route r : routes) {
            Matcher m = r.pattern().matcher(request.path());
            if (r.method().equals(request.method()) && m.matches()) {
                try {
                    synchronized (this) {
                        return r.handler().handle(m, request.params());
                    }
                } catch (ApiError e) {
                    return error(e);
                }
            }
        }
        return error(new ApiError(404, "invalid_request_error", null, "fake Stripe does not implement " + request.method() + " " + request.path()));
    }

    private static Response error(ApiError e) {
        return new Response(e.status, errorBody(e), Map.of());
    }

    private static String errorBody(ApiError e) {
        ObjectNode err = F.objectNode();
        ObjectNode inner = err.putObject("error").put("type", e.type).put("message", e.getMessage());
        if (e.code != null) {
            inner.put("code", e.code);
        }
        return err.toString();
    }

    @Override
    public void close() {
        releaseResponses();
        server.stop();
    }
}
