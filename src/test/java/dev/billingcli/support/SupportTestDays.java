package dev.billingcli.support;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Dates as the tables print them ({@code 4 Dec 2026}, UTC). */
final class SupportTestDays {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private SupportTestDays() {}

    static String day(Instant t) {
        return DAY.format(t);
    }
}
