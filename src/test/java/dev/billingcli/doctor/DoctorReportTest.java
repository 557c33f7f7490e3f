package dev.billingcli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.BillingException;
import dev.billingcli.doctor.DoctorReport.Check;
import org.junit.jupiter.api.Test;

/** The checklist in the core, without the CLI: each check reports on its own when the others cannot run. */
class DoctorReportTest {
    @Test
    void withNothingConfiguredEveryCheckFailsWithItsHintAndNoneNeedsStripe() {
        DoctorReport report = new Doctor(() -> {
            throw BillingException.invalid("no Stripe key: set STRIPE_SECRET_KEY");
        }, false, () -> {
            throw BillingException.invalid("plans.yaml:3:1: plans: required");
        }, () -> {
            throw BillingException.invalid("database unreachable");
        }, false).run();

        assertThat(report.ok()).isFalse();
        assertThat(report.checks()).extracting(Check::name)
                .containsExactly("Stripe key", "plans.yaml", "database", "STRIPE_WEBHOOK_SECRET");
        assertThat(report.checks()).allMatch(c -> !c.ok() && c.hint() != null);
        assertThat(report.checks().get(0).detail()).isEqualTo("not set");
        assertThat(report.checks().get(1).detail()).isEqualTo("plans.yaml:3:1: plans: required");
        assertThat(report.checks().get(2).hint()).isEqualTo("check DATABASE_URL");
    }

    @Test
    void aPassingCheckCarriesNoHint() {
        assertThat(Check.of("database", true, "embedded, migrated", "billing db migrate").hint()).isNull();
        assertThat(new DoctorReport(java.util.List.of(Check.pass("a", "fine"))).ok()).isTrue();
    }
}
