package dev.billingcli.cli;

import dev.billingcli.doctor.Schema;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "db", description = "The database: where it is, its migrations.",
        subcommands = {DbCommand.Migrate.class, DbCommand.Status.class},
        footerHeading = "%nExamples:%n", footer = {"  billing db status", "  billing --database-url postgres://app@db:5432/billing db migrate"})
final class DbCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "migrate", description = "Apply pending migrations (other commands do this by themselves).",
            footerHeading = "%nExamples:%n", footer = "  billing db migrate")
    static final class Migrate implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            Schema.Migrated m = Commands.app(spec).schemaAsIs().migrate();
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(new Json(m.database(), m.applied(), m.version()));
            } else {
                out.line((m.applied() == 0 ? "Schema is up to date" : "Applied " + m.applied() + " migration(s)") + " at version "
                        + m.version() + " on " + m.database() + ".");
            }
        }

        /** {@code -o json db migrate}. */
        record Json(String database, int applied, String version) {}
    }

    @Command(name = "status", description = "Where the database is, and its applied and pending migrations.",
            footerHeading = "%nExamples:%n", footer = {"  billing db status", "  billing -o json db status"})
    static final class Status implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            Schema.Status status = Commands.app(spec).schema().status();
            long pending = status.pending();
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(new Json(status.database(), pending, status.migrations()));
                return;
            }
            out.line("Database: " + status.database());
            List<List<String>> rows = new ArrayList<>();
            for (Schema.Migration m : status.migrations()) {
                rows.add(Output.row(m.version(), m.description(), m.state(), m.installedOn()));
            }
            out.table(List.of("VERSION", "DESCRIPTION", "STATE", "INSTALLED"), rows);
            out.line(pending == 0 ? "No pending migrations." : pending + " pending migration(s): run 'billing db migrate'.");
        }

        /** {@code -o json db status}: each migration as {version, description, state, installedOn}. */
        record Json(String database, long pending, List<Schema.Migration> migrations) {}
    }
}
