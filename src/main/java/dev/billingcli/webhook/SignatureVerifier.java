package dev.billingcli.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks {@code Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]}: HMAC-SHA256 with a signing
 * secret over {@code "<t>." + raw body}. Any of several secrets may match (rotation: Stripe signs with
 * the old and the new secret for a while). The timestamp must be within the tolerance in both
 * directions: Stripe's libraries only refuse old ones, but a timestamp from the future is as suspect.
 * Comparison is constant-time; the answer names the matching secret by position, never by value.
 */
public final class SignatureVerifier {
    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(300);
    private static final HexFormat HEX = HexFormat.of();
    private static final java.util.regex.Pattern TIMESTAMP = java.util.regex.Pattern.compile("\\d{1,12}");
    private static final java.util.regex.Pattern SIGNATURE = java.util.regex.Pattern.compile("[0-9a-fA-F]{64}");
    /** Mac instances are not thread-safe and costly to look up: one per thread. */
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    });

    private final List<SecretKeySpec> keys;
    private final long toleranceSeconds;
    private final Clock clock;

    public SignatureVerifier(List<String> secrets, Duration tolerance, Clock clock) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("no signing secret");
        }
        this.keys = secrets.stream().map(s -> new SecretKeySpec(s.getBytes(StandardCharsets.UTF_8), "HmacSHA256")).toList();
        this.toleranceSeconds = tolerance.toSeconds();
        this.clock = clock;
    }

    /**
     * @return the position (0-based) of the secret that matched
     * @throws Rejection (400) for a missing or malformed header, a timestamp out of tolerance, or no match
     */
    public int verify(String header, byte[] body) throws Rejection {
        if (header == null || header.isBlank()) {
            throw new Rejection(400, "missing Stripe-Signature header");
        }
        Long timestamp = null;
        List<byte[]> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new Rejection(400, "malformed Stripe-Signature header");
            }
            String key = part.substring(0, eq).strip();
            String value = part.substring(eq + 1).strip();
            if (key.equals("t")) {
                if (timestamp != null || !TIMESTAMP.matcher(value).matches()) {
                    throw new Rejection(400, "malformed Stripe-Signature header (timestamp)");
                }
                timestamp = Long.parseLong(value);
            } else if (key.equals("v1")) {
                if (!SIGNATURE.matcher(value).matches()) {
                    throw new Rejection(400, "malformed Stripe-Signature header (v1 signature)");
                }
                signatures.add(HEX.parseHex(value));
            }
            // other schemes (v0 test signatures, future ones) are ignored, as Stripe's libraries do
        }
        if (timestamp == null || signatures.isEmpty()) {
            throw new Rejection(400, "malformed Stripe-Signature header (needs t= and v1=)");
        }
        long skew = clock.instant().getEpochSecond() - timestamp;
        if (skew > toleranceSeconds) {
            throw new Rejection(400, "signature timestamp too old (" + skew + " s, tolerance " + toleranceSeconds + " s)");
        }
        if (-skew > toleranceSeconds) {
            throw new Rejection(400, "signature timestamp in the future (" + -skew + " s, tolerance " + toleranceSeconds + " s)");
        }
        int matched = -1;
        for (int i = 0; i < keys.size(); i++) {
            byte[] expected = mac(keys.get(i), timestamp, body);
            for (byte[] candidate : signatures) {
                // no early exit: the time taken does not depend on which secret or signature matched
                if (MessageDigest.isEqual(expected, candidate) && matched < 0) {
                    matched = i;
                }
            }
        }
        if (matched < 0) {
            throw new Rejection(400, "no signature matches a configured secret");
        }
        return matched;
    }

    /** The header Stripe would send for this body, signed now with {@code secret} (for trigger and tests). */
    public static String sign(String secret, long timestamp, byte[] body) {
        SecretKeySpec key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        return "t=" + timestamp + ",v1=" + HEX.formatHex(mac(key, timestamp, body));
    }

    private static byte[] mac(SecretKeySpec key, long timestamp, byte[] body) {
        try {
            Mac mac = MAC.get();
            mac.init(key);
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("bad HMAC key", e);
        }
    }
}
