package dev.billingcli.cli;

import dev.billingcli.BillingException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Dates and times as support staff type them: {@code 2026-12-31}, an ISO instant, or {@code 24h}/{@code 7d} ago. */
final class TimeArgs {
    private static final Pattern AGO = Pattern.compile("(\\d+)\\s*(s|m|h|d|w)");

    private TimeArgs() {}

    /** The end of a validity: a date means through that whole day (UTC). */
    static Instant until(String option, String value) {
        try {
            return LocalDate.parse(value).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            return instant(option, value);
        }
    }

    /** A span ahead or back: {@code 30m}, {@code 24h}, {@code 7d}, {@code 2w}; anything else is exit 2. */
    static Duration span(String option, String value) {
        Matcher m = AGO.matcher(value.trim());
        if (m.matches() && m.group(1).length() <= 6) { // a million days is already past any date PostgreSQL keeps
            return duration(Long.parseLong(m.group(1)), m.group(2));
        }
        throw BillingException.invalid(option + ": \"" + value + "\" is not a span (30m, 24h, 7d, 2w)");
    }

    private static Duration duration(long n, String unit) {
        return switch (unit) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    /** A point in time: a date (its start, UTC), an ISO instant, or a span back from now ({@code 24h}, {@code 7d}). */
    static Instant since(String option, String value, Instant now) {
        Matcher m = AGO.matcher(value.trim());
        if (m.matches()) {
            return now.minus(duration(Long.parseLong(m.group(1)), m.group(2)));
        }
        try {
            return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            return instant(option, value);
        }
    }

    private static Instant instant(String option, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw BillingException.invalid(option + ": \"" + value + "\" is not a date (2026-12-31), a time (2026-12-31T18:00:00Z)"
                    + " or a span (24h, 7d)");
        }
    }
}
