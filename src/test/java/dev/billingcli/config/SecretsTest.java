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
    void dotEnvWriteReplacesInPlaceAndKeepsOtherLines(@TempDir Path dir) throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, "# app\nDATABASE_URL=postgres://x\nexport STRIPE_PRICE_PRO_MONTHLY=price_old\n");
        DotEnv.write(env, Map.of("STRIPE_PRICE_PRO_MONTHLY", "price_new", "STRIPE_WEBHOOK_SECRET", "whsec_x"));
        assertThat(Files.readAllLines(env)).containsExactly(
                "# app", "DATABASE_URL=postgres://x", "STRIPE_PRICE_PRO_MONTHLY=price_new", "STRIPE_WEBHOOK_SECRET=whsec_x");
        assertThat(DotEnv.read(env)).containsEntry("STRIPE_PRICE_PRO_MONTHLY", "price_new");
    }
}
