package dev.billingcli.catalog;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Set;

/** Exact conversion between decimal amounts in major units and Stripe's integer minor units. */
public final class Money {
    /** Stripe's zero-decimal currencies: amounts are already in the smallest unit. */
    private static final Set<String> ZERO_DECIMAL = Set.of(
            "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf");
    /** Three-decimal currencies (Stripe wants the last digit 0, which the check below allows). */
    private static final Set<String> THREE_DECIMAL = Set.of("bhd", "jod", "kwd", "omr", "tnd");

    private Money() {}

    public static int decimals(String currency) {
        String c = currency.toLowerCase(Locale.ROOT);
        return ZERO_DECIMAL.contains(c) ? 0 : THREE_DECIMAL.contains(c) ? 3 : 2;
    }

    /**
     * {@code "9.90"} in EUR → 990. Throws {@link IllegalArgumentException} with a user-facing reason
     * when the text is not a plain decimal or has more decimals than the currency allows.
     */
    public static long toMinor(String amount, String currency) {
        String text = amount.strip();
        if (text.matches("-\\d+(\\.\\d+)?") && new BigDecimal(text).signum() < 0) {
            throw new IllegalArgumentException("\"" + amount + "\" is negative: an amount must be 0 or more");
        }
        if (!text.matches("\\d+(\\.\\d+)?")) {
            String hint = text.matches("\\d+,\\d+") ? " (use \"" + text.replace(',', '.') + "\")" : "";
            throw new IllegalArgumentException("\"" + amount + "\" is not a decimal amount" + hint);
        }
        BigDecimal value = new BigDecimal(text);
        int decimals = decimals(currency);
        if (value.stripTrailingZeros().scale() > decimals) {
            throw new IllegalArgumentException("\"" + amount + "\" has more than " + decimals + " decimal"
                    + (decimals == 1 ? "" : "s") + ", the most " + currency.toUpperCase(Locale.ROOT) + " allows");
        }
        try {
            return value.movePointRight(decimals).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("\"" + amount + "\" is too large");
        }
    }

    /** 990 in EUR → {@code "9.90"}. */
    public static String format(long minor, String currency) {
        return BigDecimal.valueOf(minor).movePointLeft(decimals(currency)).toPlainString();
    }
}
