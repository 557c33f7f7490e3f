package dev.billingcli.doctor;

import dev.billingcli.store.Database;
import java.time.Instant;
import java.util.List;

/** Where the database is and its migrations: {@code db status}, {@code db migrate} and doctor's database check. */
public final class Schema {
    /** @param state Flyway's word in lower case: success, pending, … */
    public record Migration(String version, String description, String state, Instant installedOn) {}

    /** @param database where it is, without credentials */
    public record Status(String database, List<Migration> migrations) {
        public long pending() {
            return migrations.stream().filter(m -> m.state().equals("pending")).count();
        }
    }

    /** @param version the newest applied migration, or "none" */
    public record Migrated(String database, int applied, String version) {}

    private final Database database;

    public Schema(Database database) {
        this.database = database;
    }

    public Status status() {
        return new Status(database.description(), database.migrations().stream()
                .map(m -> new Migration(m.version(), m.description(), m.state(), m.installedOn())).toList());
    }

    /** Applies pending migrations. */
    public Migrated migrate() {
        int applied = database.migrate();
        String current = database.migrations().stream().filter(m -> m.installedOn() != null).reduce((a, b) -> b)
                .map(Database.Migration::version).orElse("none");
        return new Migrated(database.description(), applied, current);
    }
}
