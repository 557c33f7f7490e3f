package dev.billingcli.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.PermissionException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import com.stripe.net.RequestOptions;
import dev.billingcli.BillingException;
import dev.billingcli.config.Secrets;
import java.time.Duration;
import java.util.UUID;

/**
 * The one {@link StripeClient} of a run, and the rules every Stripe call follows: a key is required,
 * a live key writes only with {@code --live}, every write carries its own idempotency key (stripe-java
 * reuses it across its retries of that request; a later run gets new ones), and a Stripe failure
 * becomes one line with exit code 3 that never contains the key.
 */
public final class StripeAccess {
    /** stripe-java retries 429, 5xx and network errors this many times, with backoff. */
    static final int MAX_NETWORK_RETRIES = 2;

    private final StripeClient client;
    private final String key;
    private final String apiBase;
    private final boolean liveAllowed;
    private final RateLimiter limiter;
    private final double perSecond;

    /** Requests per second by default: under Stripe's 25 (test mode) and 100 (live mode), leaving the app room. */
    public static final double TEST_RATE = 20;
    public static final double LIVE_RATE = 80;
    /** After stripe-java's own retries of a 429, this many more tries, with growing waits. */
    static final int RATE_LIMITED_TRIES = 4;

    StripeAccess(StripeClient client, String key, String apiBase, boolean liveAllowed, double perSecond) {
        this.client = client;
        this.key = key;
        this.apiBase = apiBase;
        this.liveAllowed = liveAllowed;
        this.perSecond = perSecond;
        this.limiter = RateLimiter.perSecond(perSecond);
    }

    /**
     * How many list requests a long read keeps in flight: enough to use the whole rate when Stripe takes
     * up to a second an answer (a page of 100 subscriptions with customers: 300–700 ms), never fewer than 2.
     */
    int readers() {
        return (int) Math.max(2, Math.min(64, Math.ceil(perSecond)));
    }

    /**
     * A GET of a list as Stripe's raw JSON (no typed objects built: a long read only needs the text).
     *
     * @param urgent whether it goes ahead of the ordinary requests waiting for the rate limit (see {@link RateLimiter#acquire(boolean)})
     */
    CreatedWindows.RawPage rawList(String what, String path, com.stripe.net.ApiRequestParams params, boolean urgent) {
        String url = path + "?" + com.stripe.net.FormEncoder.createQueryString(params.toMap());
        com.stripe.net.StripeResponse r = call(what, urgent, () -> client.rawRequest(com.stripe.net.ApiResource.RequestMethod.GET, url, null));
        java.time.Instant asOf = r.date() != null ? r.date() : java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return new CreatedWindows.RawPage(r.body(), asOf, r.requestId());
    }

    /**
     * @param key secret ({@code sk_}) or restricted ({@code rk_}) key; null → exit 2 with a hint
     * @param apiBase null for Stripe itself, or a local stand-in
     * @param liveAllowed whether {@code --live} was given
     */
    public static StripeAccess create(String key, String apiBase, boolean liveAllowed) {
        return create(key, apiBase, liveAllowed, null);
    }

    /** @param rate requests per second for this process (all threads), or null for the default of the key's mode */
    public static StripeAccess create(String key, String apiBase, boolean liveAllowed, Double rate) {
        if (key == null) {
            throw BillingException.invalid("no Stripe key: set STRIPE_SECRET_KEY (or .env) or pass --stripe-key");
        }
        if (!key.matches("(sk|rk)_(test|live)_[A-Za-z0-9_]+")) {
            throw BillingException.invalid("the Stripe key " + Secrets.mask(key) + " is not a secret (sk_…) or restricted (rk_…) key");
        }
        StripeClient.StripeClientBuilder builder = StripeClient.builder()
                .setApiKey(key)
                .setMaxNetworkRetries(MAX_NETWORK_RETRIES)
                .setConnectTimeout(10_000)
                .setReadTimeout(30_000);
        if (apiBase != null) {
            builder.setApiBase(apiBase.replaceAll("/+$", ""));
        }
        if (rate != null && !(rate > 0)) {
            throw BillingException.invalid("the Stripe request rate must be a positive number of requests per second, got " + rate);
        }
        double perSecond = rate != null ? rate : key.contains("_live_") ? LIVE_RATE : TEST_RATE;
        return new StripeAccess(builder.build(), key, apiBase, liveAllowed, perSecond);
    }

    /** Requests per second this process may send (all threads together): what a command that works in parallel sizes itself by. */
    public double rate() {
        return perSecond;
    }

    /**
     * Whether a failure of a call is Stripe refusing that one request (a 4xx other than 429: invalid for this object
     * now, say), as opposed to Stripe or the network failing, after which nothing more should be sent.
     */
    public static boolean refusedRequest(Throwable failure) {
        Throwable cause = failure instanceof BillingException ? failure.getCause() : failure;
        return cause instanceof com.stripe.exception.InvalidRequestException || cause instanceof com.stripe.exception.CardException
                || cause instanceof com.stripe.exception.IdempotencyException;
    }

    public boolean live() {
        return key.contains("_live_");
    }

    public boolean restricted() {
        return key.startsWith("rk_");
    }

    /** {@code test key sk_test_…abcd} */
    public String describeKey() {
        return (live() ? "live" : "test") + (restricted() ? " restricted" : "") + " key " + Secrets.mask(key);
    }

    /** Refuses (exit 4) before the first write when a live key is used without {@code --live}. */
    public void checkWritesAllowed() {
        if (live() && !liveAllowed) {
            throw BillingException.refused("refusing to write to Stripe with a live key (" + Secrets.mask(key)
                    + ") without --live");
        }
    }

    StripeClient client() {
        return client;
    }

    /** Options for one write: a fresh idempotency key, kept by stripe-java across its retries. */
    RequestOptions write() {
        checkWritesAllowed();
        return RequestOptions.builder().setIdempotencyKey("billing-" + UUID.randomUUID()).build();
    }

    /**
     * Options for one write with an idempotency key of the caller's: the same key for the same change, so a request
     * sent again (after a crash, by a resumed run) is answered with Stripe's first answer instead of acting twice.
     */
    RequestOptions write(String idempotencyKey) {
        checkWritesAllowed();
        return RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
    }

    @FunctionalInterface
    interface Call<T> {
        T run() throws StripeException;
    }

    /** Runs one Stripe call; a failure becomes a {@link BillingException} (exit 3) naming what failed. */
    <T> T call(String what, Call<T> call) {
        return call(what, false, call);
    }

    private <T> T call(String what, boolean urgent, Call<T> call) {
        for (int attempt = 1;; attempt++) {
            try {
                limiter.acquire(urgent);
                return call.run();
            } catch (RateLimitException e) {
                // stripe-java retries a 429 only when Stripe says so (a lock timeout); Stripe processed none of
                // these: every thread slows down, and this request waits longer and goes again
                limiter.slowDown();
                if (attempt >= RATE_LIMITED_TRIES) {
                    throw failure(what, e);
                }
                pause(Duration.ofMillis(500L << attempt).plusMillis(java.util.concurrent.ThreadLocalRandom.current().nextLong(250)));
            } catch (StripeException e) {
                throw failure(what, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BillingException.serviceFailed("interrupted while waiting to " + what, e);
            }
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BillingException.serviceFailed("interrupted while waiting for Stripe's rate limit", e);
        }
    }

    /** A Stripe failure as one line (exit 3) naming what failed; never the key. */
    private BillingException failure(String what, StripeException e) {
        if (e instanceof PermissionException) { // a subclass of AuthenticationException: first
            return BillingException.serviceFailed("the " + describeKey() + " may not " + what + " (" + clean(e) + ")", e);
        }
        if (e instanceof AuthenticationException) {
            return BillingException.serviceFailed("Stripe refused the " + describeKey() + " while trying to " + what, e);
        }
        if (e instanceof ApiConnectionException c) {
            return BillingException.serviceFailed("cannot reach Stripe at " + (apiBase != null ? apiBase : "https://api.stripe.com")
                    + " to " + what + ": " + networkCause(c), e);
        }
        return BillingException.serviceFailed("Stripe failed to " + what + ": " + clean(e)
                + (e.getRequestId() != null ? " (request " + e.getRequestId() + ")" : ""), e);
    }

    /**
     * What went wrong on the network, in a few words: stripe-java's own message names the global API base
     * (not this client's) and adds advice about internet connections and Twitter.
     */
    static String networkCause(ApiConnectionException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root == e || root.getMessage() == null || root.getMessage().isBlank()) {
            return root == e ? "no connection" : root.getClass().getSimpleName();
        }
        String m = root.getMessage().lines().findFirst().orElse("").trim();
        if (root instanceof java.net.UnknownHostException) {
            return "unknown host " + m;
        }
        return Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    private String clean(StripeException e) {
        String m = e.getStripeError() != null && e.getStripeError().getMessage() != null ? e.getStripeError().getMessage() : e.getMessage();
        m = m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
        return Secrets.scrub(m, key);
    }
}
