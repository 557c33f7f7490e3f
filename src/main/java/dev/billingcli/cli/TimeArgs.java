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
    private static final Pattern AGO = Pattern.compile("(\\d+)\\s*(m|h|d|w)");

    private TimeArgs() {}

    /** The end of a validity: a date means through that whole day (UTC). */
    static Instant until(String option, String value) {
        try {
            return LocalDate.parse(value).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            return instant(option, value);
        }
    }

    /** A point in time: a date (its start, UTC), an ISO instant, or a span back from now ({@code 24h}, {@code 7d}). */
    static Instant since(String option, String value, Instant now) {
        Matcher m = AGO.matcher(value.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
            return now.minus(d);
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
