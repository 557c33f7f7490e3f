package dev.billingcli.config;

/** Secrets are never printed: at most their kind and last four characters. */
public final class Secrets {
    private Secrets() {}

    /** {@code sk_test_51Hx…abcd} → {@code sk_test_…abcd}; anything unrecognised → {@code …abcd}. */
    public static String mask(String secret) {
        if (secret == null || secret.isEmpty()) {
            return "(none)";
        }
        String tail = secret.length() > 8 ? secret.substring(secret.length() - 4) : "";
        for (String prefix : new String[] {"sk_test_", "sk_live_", "rk_test_", "rk_live_", "whsec_"}) {
            if (secret.startsWith(prefix)) {
                return prefix + "…" + tail;
            }
        }
        return "…" + tail;
    }

    /** Removes every occurrence of the given secrets from a message (Stripe errors may echo a key). */
    public static String scrub(String message, String... secrets) {
        if (message == null) {
            return null;
        }
        String out = message;
        for (String s : secrets) {
            if (s != null && s.length() >= 6) {
                out = out.replace(s, mask(s));
            }
        }
        return out;
    }
}
