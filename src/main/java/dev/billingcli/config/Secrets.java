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

    private static final java.util.regex.Pattern SECRET_OPTION =
            java.util.regex.Pattern.compile("(--(?:stripe-key|secret)(?:=|\\s+))(\"[^\"]*\"|'[^']*'|[^\\s\"']+)");
    private static final java.util.regex.Pattern SECRET_ASSIGNMENT = java.util.regex.Pattern.compile(
            "\\b([A-Z][A-Z0-9_]*(?:SECRET|KEY|PASSWORD|TOKEN)[A-Z0-9_]*=)(\"[^\"]*\"|'[^']*'|[^\\s\"']+)");
    private static final java.util.regex.Pattern URL_PASSWORD =
            java.util.regex.Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\\s]*:)([^@/\\s]+)@");
    private static final java.util.regex.Pattern QUERY_PASSWORD =
            java.util.regex.Pattern.compile("([?&]password=)([^&\\s\"']+)", java.util.regex.Pattern.CASE_INSENSITIVE);
    private static final java.util.regex.Pattern KEY_SHAPED = java.util.regex.Pattern.compile("(?:sk|rk)_(?:test|live)_[A-Za-z0-9_]+|whsec_[A-Za-z0-9_]+");

    /**
     * A command line with its secret values masked, for what is kept on disk (the shell's history):
     * the values of {@code --stripe-key} and {@code --secret}, {@code NAME_KEY=…}-style assignments, the password
     * of a URL ({@code postgres://app:***@db}, {@code ?password=***}), and anything shaped like a Stripe key
     * or a webhook signing secret, wherever it stands.
     */
    public static String redact(String line) {
        if (line == null) {
            return null;
        }
        String out = replace(SECRET_OPTION, line, m -> m.group(1) + maskEach(unquote(m.group(2))));
        out = replace(SECRET_ASSIGNMENT, out, m -> m.group(1) + maskEach(unquote(m.group(2))));
        out = replace(URL_PASSWORD, out, m -> m.group(1) + "***@");
        out = replace(QUERY_PASSWORD, out, m -> m.group(1) + "***");
        return replace(KEY_SHAPED, out, m -> mask(m.group()));
    }

    private static String replace(java.util.regex.Pattern p, String text,
            java.util.function.Function<java.util.regex.MatchResult, String> with) {
        return p.matcher(text).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(with.apply(m)));
    }

    private static String unquote(String v) {
        return v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))
                ? v.substring(1, v.length() - 1) : v;
    }

    /** Comma-separated secrets (rotation) masked one by one; a URL keeps everything but its password. */
    private static String maskEach(String value) {
        if (URL_PASSWORD.matcher(value).find() || QUERY_PASSWORD.matcher(value).find()) {
            return value;
        }
        return String.join(",", java.util.Arrays.stream(value.split(",", -1)).map(Secrets::mask).toList());
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
