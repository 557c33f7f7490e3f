package dev.billingcli.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.PermissionException;
import com.stripe.exception.StripeException;
import com.stripe.net.RequestOptions;
import dev.billingcli.BillingException;
import dev.billingcli.config.Secrets;
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

    StripeAccess(StripeClient client, String key, String apiBase, boolean liveAllowed) {
        this.client = client;
        this.key = key;
        this.apiBase = apiBase;
        this.liveAllowed = liveAllowed;
    }

    /**
     * @param key secret ({@code sk_}) or restricted ({@code rk_}) key; null → exit 2 with a hint
     * @param apiBase null for Stripe itself, or a local stand-in
     * @param liveAllowed whether {@code --live} was given
     */
    public static StripeAccess create(String key, String apiBase, boolean liveAllowed) {
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
        return new StripeAccess(builder.build(), key, apiBase, liveAllowed);
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

    @FunctionalInterface
    interface Call<T> {
        T run() throws StripeException;
    }

    /** Runs one Stripe call; a failure becomes a {@link BillingException} (exit 3) naming what failed. */
    <T> T call(String what, Call<T> call) {
        try {
            return call.run();
        } catch (PermissionException e) { // a subclass of AuthenticationException: first
            throw BillingException.serviceFailed("the " + describeKey() + " may not " + what + " (" + clean(e) + ")", e);
        } catch (AuthenticationException e) {
            throw BillingException.serviceFailed("Stripe refused the " + describeKey() + " while trying to " + what, e);
        } catch (ApiConnectionException e) {
            throw BillingException.serviceFailed("cannot reach Stripe at " + (apiBase != null ? apiBase : "https://api.stripe.com")
                    + " to " + what + ": " + networkCause(e), e);
        } catch (StripeException e) {
            throw BillingException.serviceFailed("Stripe failed to " + what + ": " + clean(e)
                    + (e.getRequestId() != null ? " (request " + e.getRequestId() + ")" : ""), e);
        }
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
