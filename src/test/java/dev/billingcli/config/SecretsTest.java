package dev.billingcli.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
    @Test
    void masksKeepKindAndLastFour() {
        assertThat(Secrets.mask("sk_test_FAKE_masking_abcd")).isEqualTo("sk_test_…abcd");
        assertThat(Secrets.mask("rk_live_FAKE_masking_wxyz")).isEqualTo("rk_live_…wxyz");
        assertThat(Secrets.mask("whsec_FAKE_masking_cdef")).isEqualTo("whsec_…cdef");
        assertThat(Secrets.mask("short")).isEqualTo("…");
        assertThat(Secrets.scrub("Invalid API Key provided: sk_test_FAKE_masking_abcd", "sk_test_FAKE_masking_abcd"))
                .isEqualTo("Invalid API Key provided: sk_test_…abcd");
    }

    @Test
    void redactMasksSecretValuesInACommandLine() {
        assertThat(Secrets.redact("webhook-serve --secret whsec_FAKE_typed_5678 --port 4242"))
                .isEqualTo("webhook-serve --secret whsec_…5678 --port 4242");
        assertThat(Secrets.redact("webhook-serve --secret=whsec_FAKE_old_1111,whsec_FAKE_new_2222"))
                .isEqualTo("webhook-serve --secret=whsec_…1111,whsec_…2222");
        assertThat(Secrets.redact("--stripe-key 'sk_live_FAKE_quoted_9876' status --account acme"))
                .isEqualTo("--stripe-key sk_live_…9876 status --account acme");
        assertThat(Secrets.redact("--stripe-key notakey12345 doctor")).isEqualTo("--stripe-key …2345 doctor");
        assertThat(Secrets.redact("--database-url postgres://app:hunter2@db:5432/billing db status"))
                .isEqualTo("--database-url postgres://app:***@db:5432/billing db status");
        assertThat(Secrets.redact("--database-url jdbc:postgresql://db/billing?user=app&password=hunter2 db status"))
                .isEqualTo("--database-url jdbc:postgresql://db/billing?user=app&password=*** db status");
        assertThat(Secrets.redact("STRIPE_SECRET_KEY=sk_test_FAKE_assigned_4321 STRIPE_PRICE_PRO_MONTHLY=price_1 x"))
                .isEqualTo("STRIPE_SECRET_KEY=sk_test_…4321 STRIPE_PRICE_PRO_MONTHLY=price_1 x");
        assertThat(Secrets.redact("status --account acme --note rk_test_FAKE_pasted_0000"))
                .isEqualTo("status --account acme --note rk_test_…0000");
        assertThat(Secrets.redact("plans list")).isEqualTo("plans list");
    }

    @Test
    void dotEnvWriteReplacesInPlaceAndKeepsOtherLines(@TempDir Path dir) throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, "# app\nDATABASE_URL=postgres://x\nexport STRIPE_PRICE_PRO_MONTHLY=price_old\n");
        DotEnv.write(env, Map.of("STRIPE_PRICE_PRO_MONTHLY", "price_new", "STRIPE_WEBHOOK_SECRET", "whsec_x"));
        assertThat(Files.readAllLines(env)).containsExactly(
                "# app", "DATABASE_URL=postgres://x", "STRIPE_PRICE_PRO_MONTHLY=price_new", "STRIPE_WEBHOOK_SECRET=whsec_x");
        assertThat(DotEnv.read(env)).containsEntry("STRIPE_PRICE_PRO_MONTHLY", "price_new");
    }
}
