package dev.billingcli.catalog;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A coupon of plans.yaml. Its terms are immutable in Stripe, so {@code stripe:setup} identifies a
 * version by {@link #termsHash()}: changed terms are a new coupon ({@code launch20_v2}), never an edit.
 *
 * @param percentOff 0 &lt; p ≤ 100, or null when {@code amountOff} is set
 * @param amountOff in the minor units of {@code currency} (the catalog's), or null
 * @param duration {@code once}, {@code repeating} or {@code forever}
 * @param months for {@code repeating} only, else null
 * @param appliesTo plan ids (each with prices); empty means every product
 */
public record Coupon(String key, BigDecimal percentOff, Long amountOff, String currency, String duration, Integer months,
        List<String> appliesTo) {
    public static final List<String> DURATIONS = List.of("once", "repeating", "forever");

    /** The terms as one canonical line (what the hash covers): plan ids sorted, amounts exact. */
    public String terms() {
        return (percentOff != null ? "percent_off=" + percentOff.stripTrailingZeros().toPlainString()
                : "amount_off=" + amountOff + " " + currency)
                + ";duration=" + duration + (months != null ? ";months=" + months : "")
                + ";applies_to=" + String.join(",", appliesTo.stream().sorted().toList());
    }

    /** The first 16 hex digits of the SHA-256 of {@link #terms()}: kept in the coupon's metadata. */
    public String termsHash() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(terms().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }

    /** "20% off for 3 months on pro, business", "5.00 EUR off once". */
    public String describe() {
        String off = percentOff != null ? percentOff.stripTrailingZeros().toPlainString() + "% off"
                : Money.format(amountOff, currency) + " " + currency.toUpperCase(Locale.ROOT) + " off";
        String when = switch (duration) {
            case "repeating" -> " for " + months + " month" + (months == 1 ? "" : "s");
            case "forever" -> " forever";
            default -> " once";
        };
        return off + when + (appliesTo.isEmpty() ? "" : " on " + String.join(", ", appliesTo));
    }
}
