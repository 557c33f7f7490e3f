package dev.billingcli.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.subscription.Subscription.Difference;
import org.junit.jupiter.api.Test;

/** status --stripe and sync print a difference whose one side lacks the field as "(none)", never "null". */
class DifferenceLineTest {
    @Test
    void aMissingSideIsNone() {
        assertThat(SupportCommands.difference(new Difference("status", "active", "past_due"))).isEqualTo("active → past_due");
        assertThat(SupportCommands.difference(new Difference("cancelAt", null, "2026-12-01T00:00:00Z")))
                .isEqualTo("(none) → 2026-12-01T00:00:00Z");
        assertThat(SupportCommands.difference(new Difference("cancelAt", "2026-12-01T00:00:00Z", null)))
                .isEqualTo("2026-12-01T00:00:00Z → (none)");
    }
}
