package dev.billingcli.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** The cause named in "cannot reach URL: …" reads as part of the sentence, and an acronym stays one. */
class NetworkCauseTest {
    @Test
    void aSentenceStartsLowerCaseAnAcronymKeepsItsCase() {
        assertThat(Trigger.networkCause(new IOException("Connection reset"))).isEqualTo("connection reset");
        assertThat(Trigger.networkCause(new IOException("HTTP/1.1 header parser received no bytes",
                new java.io.EOFException("EOF reached while reading"))))
                .isEqualTo("HTTP/1.1 header parser received no bytes");
        assertThat(Trigger.networkCause(new ConnectException())).isEqualTo("connection refused");
    }
}
