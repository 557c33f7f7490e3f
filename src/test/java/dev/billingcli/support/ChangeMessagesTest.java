package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.subscription.Subscription;
import dev.billingcli.support.SupportService.CancelMode;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lines cancel and reactivate print say something true when Stripe's answer lacks a date: never "null". */
class ChangeMessagesTest {
    private static final Instant END = Instant.parse("2026-12-01T00:00:00Z");

    private static Subscription sub(Instant periodEnd, boolean cancelAtPeriodEnd, Instant cancelAt) {
        return new Subscription("sub_1", "acme", "cus_1", "pro", "price_1", "pro_monthly", "month", 1, "active",
                null, periodEnd, cancelAtPeriodEnd, cancelAt, null, null, null, null, null, null, null, null, null, Map.of(), null);
    }

    @Test
    void cancelWithAndWithoutTheDates() {
        assertThat(SupportService.cancelMessage(CancelMode.AT_PERIOD_END, sub(END, true, null)))
                .isEqualTo("sub_1 cancels at the period end, 2026-12-01T00:00:00Z");
        assertThat(SupportService.cancelMessage(CancelMode.AT_PERIOD_END, sub(null, true, null)))
                .isEqualTo("sub_1 cancels at the period end (date unknown)");
        assertThat(SupportService.cancelMessage(CancelMode.AT, sub(null, false, END))).isEqualTo("sub_1 cancels on 2026-12-01T00:00:00Z");
        assertThat(SupportService.cancelMessage(CancelMode.AT, sub(null, false, null)))
                .isEqualTo("sub_1 cancels on the date asked for (date unknown)");
    }

    @Test
    void reactivateWithAndWithoutTheDates() {
        assertThat(SupportService.reactivateMessage(sub(END, true, null), sub(END, false, null)))
                .isEqualTo("reactivated sub_1: undid the cancellation at the period end; it renews on 2026-12-01T00:00:00Z");
        assertThat(SupportService.reactivateMessage(sub(null, true, null), sub(null, false, null)))
                .isEqualTo("reactivated sub_1: undid the cancellation at the period end; it renews at the period end (date unknown)");
        assertThat(SupportService.reactivateMessage(sub(null, false, END), sub(null, false, null)))
                .isEqualTo("reactivated sub_1: undid the cancellation on 2026-12-01T00:00:00Z; it renews at the period end (date unknown)");
        assertThat(SupportService.reactivateMessage(sub(null, false, null), sub(null, false, null)))
                .startsWith("reactivated sub_1: undid the scheduled cancellation;").doesNotContain("null");
    }

    @Test
    void aScheduledChangeWithAndWithoutItsDate() {
        Instant at = Instant.parse("2026-12-30T00:00:00Z");
        assertThat(SupportService.describe(new dev.billingcli.subscription.ScheduledChange("pro", "yearly", 2, at)))
                .isEqualTo("pro yearly × 2 from 2026-12-30T00:00:00Z");
        assertThat(SupportService.describe(new dev.billingcli.subscription.ScheduledChange("pro", "yearly", 2, null)))
                .isEqualTo("pro yearly × 2 from the period end (date unknown)");
    }
}
