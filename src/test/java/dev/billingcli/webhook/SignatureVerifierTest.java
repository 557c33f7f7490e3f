package dev.billingcli.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignatureVerifierTest {
    private static final long NOW = 1_790_000_000L;
    private static final byte[] BODY = "{\"id\":\"evt_1\"}".getBytes(StandardCharsets.UTF_8);
    private final SignatureVerifier verifier = new SignatureVerifier(List.of("whsec_old", "whsec_new"), Duration.ofSeconds(300),
            Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

    @Test
    void acceptsAnyConfiguredSecretAndSaysWhichByPosition() throws Rejection {
        assertThat(verifier.verify(SignatureVerifier.sign("whsec_old", NOW, BODY), BODY)).isZero();
        assertThat(verifier.verify(SignatureVerifier.sign("whsec_new", NOW - 299, BODY), BODY)).isEqualTo(1);
    }

    @Test
    void acceptsAHeaderWithSeveralV1SignaturesOneOfThemValid() throws Rejection {
        String good = SignatureVerifier.sign("whsec_new", NOW, BODY);
        String bad = SignatureVerifier.sign("whsec_other", NOW, BODY);
        String header = "t=" + NOW + "," + bad.substring(bad.indexOf("v1=")) + ",v0=abc," + good.substring(good.indexOf("v1="));
        assertThat(verifier.verify(header, BODY)).isEqualTo(1);
    }

    @Test
    void rejectsTimestampsOutsideTheToleranceInBothDirections() {
        assertThatThrownBy(() -> verifier.verify(SignatureVerifier.sign("whsec_old", NOW - 301, BODY), BODY))
                .isInstanceOf(Rejection.class).hasMessageContaining("too old");
        assertThatThrownBy(() -> verifier.verify(SignatureVerifier.sign("whsec_old", NOW + 301, BODY), BODY))
                .isInstanceOf(Rejection.class).hasMessageContaining("future");
    }

    @Test
    void rejectsWrongSecretsTamperedBodiesAndMalformedHeaders() {
        assertThatThrownBy(() -> verifier.verify(SignatureVerifier.sign("whsec_wrong", NOW, BODY), BODY))
                .isInstanceOf(Rejection.class).hasMessageContaining("no signature matches");
        byte[] tampered = "{\"id\":\"evt_2\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> verifier.verify(SignatureVerifier.sign("whsec_old", NOW, BODY), tampered))
                .isInstanceOf(Rejection.class).hasMessageContaining("no signature matches");
        for (String header : new String[] {null, "", "garbage", "t=" + NOW, "v1=" + "a".repeat(64), "t=abc,v1=" + "a".repeat(64),
                "t=" + NOW + ",v1=xyz"}) {
            assertThatThrownBy(() -> verifier.verify(header, BODY)).as(String.valueOf(header))
                    .isInstanceOf(Rejection.class).extracting(e -> ((Rejection) e).status()).isEqualTo(400);
        }
    }
}
