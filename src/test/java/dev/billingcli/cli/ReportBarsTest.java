package dev.billingcli.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.support.ReportService;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code report}'s bar chart, which only a terminal gets (a test has none, so the renderer is called directly). */
class ReportBarsTest {
    @Test
    void barsAreProportionalToTheLargestValue() {
        ReportService.Report r = new ReportService.Report(Instant.EPOCH,
                List.of(new ReportService.Revenue("pro", "eur", 3, 4, 3630, 43560), new ReportService.Revenue("business", "eur", 2, 4, 11117, 133400),
                        new ReportService.Revenue("team", "eur", 0, 0, 0, 0)),
                List.of(new ReportService.Total("eur", 5, 14747, 176960)), 0, false,
                List.of(new ReportService.StatusCount("active", 300), new ReportService.StatusCount("past_due", 1)),
                new ReportService.Activity(30, 2, 1, 1));
        StringWriter text = new StringWriter();
        ReportCommand.render(new Output(new PrintWriter(text), false, false), r, true);
        List<String> lines = text.toString().lines().toList();
        assertThat(lines.get(2)).startsWith("pro ").endsWith("  " + "█".repeat(10)); // 3630 / 11117 × 30 = 9.8
        assertThat(lines.get(3)).startsWith("business ").endsWith("  " + "█".repeat(30));
        assertThat(lines.get(4)).startsWith("team ").doesNotContain("█");
        assertThat(lines.get(5)).startsWith("total ").doesNotContain("█");
        assertThat(text.toString()).contains("active    300    " + "█".repeat(30) + "\n", "past_due  1      █\n");
        assertThat(ReportCommand.bar(1, 1_000_000)).as("a value above zero shows").isEqualTo("█");
    }
}
