package dev.billingcli.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.webhook.EventLog.FetchReport;
import dev.billingcli.webhook.EventProcessor.Result;
import dev.billingcli.webhook.Outcome;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The words of {@code events fetch} agree with the outcomes it then lists. */
class EventsFetchSummaryTest {
    private static final Instant SINCE = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void anEventOfATypeWeDoNotHandleIsCountedAsIgnoredNotAsHandled() {
        FetchReport report = new FetchReport(SINCE, 3, List.of(
                new Result("evt_1", "customer.subscription.updated", "acme", Outcome.DUPLICATE, null, 1),
                new Result("evt_2", "customer.subscription.updated", "acme", Outcome.APPLIED, null, 1),
                new Result("evt_3", "customer.created", null, Outcome.IGNORED, null, 1)));
        assertThat(EventsCommand.Fetch.summary(report)).isEqualTo(
                "Stripe listed 3 event(s) since 2026-12-01T00:00:00Z; 1 already stored, 2 processed now (1 applied, 1 ignored).");
    }

    @Test
    void nothingNew() {
        FetchReport report = new FetchReport(SINCE, 0, List.of());
        assertThat(EventsCommand.Fetch.summary(report)).isEqualTo(
                "Stripe listed 0 event(s) since 2026-12-01T00:00:00Z; 0 already stored, 0 processed now.");
    }
}
