package dev.billingcli.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.BillingException;
import dev.billingcli.CliRunner;
import dev.billingcli.CliRunner.Result;
import dev.billingcli.TestPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
    @TempDir
    Path dir;

    /** The migration versions shipped (files V<n>__*.sql), ascending; versions need not be contiguous. */
    static List<Integer> migrationVersions() {
        try (var files = java.nio.file.Files.list(Path.of("src/main/resources/db/migration"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .map(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static final int MIGRATIONS = migrationVersions().size();
    static final int NEWEST = migrationVersions().get(MIGRATIONS - 1);

    @Test
    void embeddedDatabaseKeepsItsDataInTheDataDirAcrossRuns() {
        Path dataDir = dir.resolve("data");
        List<String> notices = new ArrayList<>();
        try (Database db = Database.open(null, dataDir, 2, notices::add)) {
            assertThat(db.migrate()).isEqualTo(MIGRATIONS);
            db.jdbi().useHandle(h -> h.execute("insert into accounts (account_id, email) values ('acme', 'ops@acme.test')"));
        }
        assertThat(notices).singleElement().asString().contains("starting an embedded PostgreSQL").contains(dataDir.toString());
        notices.clear();
        try (Database db = Database.open(null, dataDir, 2, notices::add)) {
            assertThat(db.migrate()).isZero();
            String email = db.jdbi().withHandle(h -> h.createQuery("select email from accounts where account_id = 'acme'")
                    .mapTo(String.class).one());
            assertThat(email).isEqualTo("ops@acme.test");
        }
        assertThat(notices).as("a second start says nothing").isEmpty();
    }

    @Test
    void dbStatusThroughTheCliMigratesTheEmbeddedDatabaseAndReusesIt() throws Exception {
        CliRunner cli = CliRunner.withRepoPlans(dir);
        Result first = cli.run("db", "status");
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).contains("embedded PostgreSQL in " + dir.resolve(".billing").resolve("pg"))
                .contains("success").contains("No pending migrations.");
        assertThat(first.err()).contains("first start").contains("applied " + MIGRATIONS + " database migration(s)");
        Result second = cli.run("-o", "json", "db", "status");
        assertThat(second.err()).as("reuses the data dir: no first start, nothing to apply").isEmpty();
        JsonNode json = new ObjectMapper().readTree(second.out());
        assertThat(json.get("pending").asInt()).isZero();
        assertThat(json.get("migrations").get(0).get("state").asText()).isEqualTo("success");
    }

    @Test
    void databaseUrlPointsAtARunningServer() {
        String url = TestPostgres.newDatabaseUrl();
        CliRunner cli = CliRunner.withRepoPlans(dir);
        Result migrate = cli.run("--database-url", url, "db", "migrate");
        assertThat(migrate.code()).as(migrate.toString()).isZero();
        assertThat(migrate.out()).contains("Applied " + MIGRATIONS + " migration(s) at version " + NEWEST + " on postgres://postgres@127.0.0.1:");
        cli.env("DATABASE_URL", url);
        Result status = cli.run("db", "status");
        assertThat(status.out()).contains("Database: postgres://postgres@127.0.0.1:").contains("success");
        assertThat(dir.resolve(".billing")).as("no embedded server when a URL is given").doesNotExist();
    }

    @Test
    void unreachableServerIsExit3WithoutThePassword() {
        Result r = CliRunner.withRepoPlans(dir).run("--database-url", "postgres://app:s3cretpw@127.0.0.1:1/billing", "db", "status");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("cannot connect to postgres://app@127.0.0.1:1/billing").doesNotContain("s3cretpw");
    }

    @Test
    void urlsParseWithoutLeakingPasswords() {
        DatabaseUrl u = DatabaseUrl.parse("postgres://app:p%40ss@db.internal:6543/billing?sslmode=require");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/billing?sslmode=require");
        assertThat(u.user()).isEqualTo("app");
        assertThat(u.password()).isEqualTo("p@ss");
        assertThat(u.display()).isEqualTo("postgres://app@db.internal:6543/billing");
        assertThat(DatabaseUrl.parse("jdbc:postgresql://h/db?user=a&password=zz").display()).isEqualTo("jdbc:postgresql://h/db?user=a&password=***");
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://a:b@h/db"))
                .isInstanceOf(BillingException.class).hasMessageContaining("mysql://a:***@h/db").hasMessageNotContaining(":b@");
    }

    @org.junit.jupiter.api.Test
    void schemaVersionIsTheNewestMigrationAndAnUpToDateDatabaseSkipsFlyway() throws Exception {
        int newest = NEWEST;
        org.assertj.core.api.Assertions.assertThat(Database.SCHEMA_VERSION).isEqualTo(String.valueOf(newest));
        try (Database db = Database.open(dev.billingcli.TestPostgres.newDatabaseUrl(), java.nio.file.Path.of("."), 2, m -> {})) {
            org.assertj.core.api.Assertions.assertThat(db.migrate()).isEqualTo(MIGRATIONS);
            org.assertj.core.api.Assertions.assertThat(db.migrate()).isZero();
            org.assertj.core.api.Assertions.assertThat(db.migrations()).allSatisfy(m ->
                    org.assertj.core.api.Assertions.assertThat(m.state()).isEqualTo("success"));
        }
    }
}
