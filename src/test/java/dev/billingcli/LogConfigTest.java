package dev.billingcli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A library's warning is one line on stderr; its stack trace only with -v. */
class LogConfigTest {
    private static String logged(Runnable log) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            log.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aWarningWithAnExceptionIsOneLineUnlessVerbose() {
        var library = LoggerFactory.getLogger("com.zaxxer.hikari.pool.ProxyConnection");
        Exception cause = new java.sql.SQLException("terminating connection due to administrator command");
        String quiet = logged(() -> library.warn("billing - Connection marked as broken", cause));
        assertThat(quiet.lines()).hasSize(1);
        assertThat(quiet).contains("WARN  ProxyConnection: billing - Connection marked as broken").doesNotContain("\tat ");
        try {
            LogConfig.showStackTraces();
            String verbose = logged(() -> library.warn("billing - Connection marked as broken", cause));
            assertThat(verbose).contains("java.sql.SQLException: terminating connection").contains("\tat ");
        } finally {
            LogConfig.stackTraces(false);
        }
    }
}
