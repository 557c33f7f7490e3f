package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.CliRunner;
import dev.billingcli.TestPostgres;
import dev.billingcli.store.Database;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code license grant|revoke|list} and {@code audit}, through the command line, on a real database. */
class LicenseAuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CliRunner cli;
    private String url;

    @BeforeEach
    void setUp() {
        url = TestPostgres.newDatabaseUrl();
        cli = CliRunner.withRepoPlans(dir).env("DATABASE_URL", url).env("BILLING_ACTOR", "dana@support");
        assertThat(cli.run("db", "migrate").code()).isZero();
        try (Database db = Database.open(url, dir, 2, m -> {})) {
            db.jdbi().useHandle(h -> h.execute("insert into accounts (account_id) values ('acme')"));
        }
    }

    @Test
    void grantListRevokeEachRecordedWithActorReasonBeforeAndAfter() throws Exception {
        CliRunner.Result grant = cli.run("license", "grant", "--account", "acme", "--feature", "sso", "--until", "2026-12-31",
                "--reason", "pilot");
        assertThat(grant.code()).as(grant.toString()).isZero();
        assertThat(grant.out()).contains("Granted sso to acme until 2027-01-01T00:00:00Z");

        CliRunner.Result extend = cli.run("license", "grant", "--account", "acme", "--feature", "sso", "--reason", "signed");
        assertThat(extend.code()).isZero();

        JsonNode list = JSON.readTree(cli.run("-o", "json", "license", "list", "--account", "acme").out());
        assertThat(list.get("licenses")).hasSize(1);
        assertThat(list.at("/licenses/0/validUntil").isNull()).isTrue();
        assertThat(list.at("/licenses/0/grantedBy").asText()).isEqualTo("dana@support");

        CliRunner.Result revoke = cli.run("license", "revoke", "--account", "acme", "--feature", "sso", "--reason", "churned");
        assertThat(revoke.code()).as(revoke.toString()).isZero();
        CliRunner.Result again = cli.run("license", "revoke", "--account", "acme", "--feature", "sso");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.out()).contains("has no sso licence");

        JsonNode audit = JSON.readTree(cli.run("-o", "json", "audit", "--account", "acme").out());
        JsonNode entries = audit.get("entries");
        assertThat(entries).hasSize(3); // the revoke that found nothing wrote nothing
        assertThat(entries.get(0).get("command").asText()).isEqualTo("license revoke");
        assertThat(entries.get(0).get("reason").asText()).isEqualTo("churned");
        assertThat(entries.get(0).get("after").isNull()).isTrue();
        assertThat(entries.get(1).at("/before/valid_until").asText()).isEqualTo("2027-01-01T00:00:00Z");
        assertThat(entries.get(1).at("/after/valid_until").isNull()).isTrue();
        assertThat(entries.get(2).get("before").isNull()).isTrue();
        assertThat(entries.get(2).get("actor").asText()).isEqualTo("dana@support");

        CliRunner.Result table = cli.run("audit", "--since", "1h");
        assertThat(table.out()).contains("license grant", "dana@support", "pilot");
        assertThat(cli.run("audit", "--since", "2999-01-01").out()).contains("No audit entries");
    }

    @Test
    void badInputIsOneLineExit2AndWritesNothing() throws Exception {
        CliRunner.Result unknown = cli.run("license", "grant", "--account", "acme-typo", "--feature", "sso");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err().strip()).startsWith("billing: unknown account acme-typo").doesNotContain("\n");

        CliRunner.Result badDate = cli.run("license", "grant", "--account", "acme", "--feature", "sso", "--until", "31/12/2026");
        assertThat(badDate.code()).isEqualTo(2);
        assertThat(badDate.err()).contains("--until").contains("31/12/2026");

        CliRunner.Result badFeature = cli.run("license", "grant", "--account", "acme", "--feature", "Single Sign On");
        assertThat(badFeature.code()).isEqualTo(2);

        assertThat(cli.run("audit", "--since", "yesterday").code()).isEqualTo(2);
        assertThat(JSON.readTree(cli.run("-o", "json", "audit").out()).get("entries")).isEmpty();
        assertThat(JSON.readTree(cli.run("-o", "json", "license", "list", "--account", "acme").out()).get("licenses")).isEmpty();
    }
}
