package dev.billingcli.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.CliRunner;
import dev.billingcli.CliRunner.Result;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code db start} / {@code db stop}: the embedded PostgreSQL kept up by a background process between
 * one-shot commands, which attach to it; it stops on {@code db stop} or after its idle time.
 */
class DbServerTest {
    @TempDir
    Path dir;

    private CliRunner cli() {
        return new CliRunner(dir).env("BILLING_DATA_DIR", dir.resolve("data").toString());
    }

    @AfterEach
    void stopWhatIsLeft() {
        new CliRunner(dir).env("BILLING_DATA_DIR", dir.resolve("data").toString()).run("db", "stop");
    }

    @Test
    void startKeepsTheServerUpForOneShotCommandsUntilStop() throws Exception {
        CliRunner cli = cli();
        Result started = cli.run("-o", "json", "db", "start", "--idle", "10m");
        assertThat(started.code()).as(started.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(started.out());
        assertThat(json.get("started").asBoolean()).isTrue();
        long pid = json.get("pid").asLong();
        int port = json.get("port").asInt();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

        // a one-shot command attaches to it instead of starting its own
        Result status = cli.run("db", "status");
        assertThat(status.code()).as(status.toString()).isZero();
        assertThat(status.out()).contains("(port " + port + ", shared with another billing process)");
        assertThat(cli.run("db", "start").out()).isEqualTo("already running on port " + port + " (process " + pid + ")\n");

        Result stopped = cli.run("db", "stop");
        assertThat(stopped.code()).as(stopped.toString()).isZero();
        assertThat(stopped.out()).startsWith("stopped the database server on ");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Database.runningEmbeddedPort(dir.resolve("data"))).isNull();
        assertThat(cli.run("db", "stop").out()).startsWith("no database server runs on ");
    }

    @Test
    void theServerStopsByItselfAfterItsIdleTime() throws Exception {
        CliRunner cli = cli();
        Result started = cli.run("-o", "json", "db", "start", "--idle", "2s");
        assertThat(started.code()).as(started.toString()).isZero();
        long pid = new ObjectMapper().readTree(started.out()).get("pid").asLong();
        ProcessHandle keeper = ProcessHandle.of(pid).orElseThrow();
        keeper.onExit().get(30, TimeUnit.SECONDS); // fails the test (TimeoutException) when it does not stop
        assertThat(Database.runningEmbeddedPort(dir.resolve("data"))).isNull();
    }

    @Test
    void aDatabaseUrlHasNoEmbeddedServerToKeepAndABadSpanIsNamed() {
        Result url = cli().env("DATABASE_URL", "postgres://app@127.0.0.1:1/x").run("db", "start");
        assertThat(url.code()).isEqualTo(2);
        assertThat(url.err()).isEqualTo("billing: db start/stop keep the embedded PostgreSQL up; with a database URL there is none to keep\n");
        Result span = cli().run("db", "start", "--idle", "soon");
        assertThat(span.code()).isEqualTo(2);
        assertThat(span.err()).contains("--idle: \"soon\" is not a span");
    }
}
