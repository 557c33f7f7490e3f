package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.store.Database;
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
            App app = Commands.app(spec);
            Database db = app.databaseAsIs();
            int applied = db.migrate();
            List<Database.Migration> all = db.migrations();
            String current = all.stream().filter(m -> m.installedOn() != null).reduce((a, b) -> b).map(Database.Migration::version).orElse("none");
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(new Json(db.description(), applied, current));
            } else {
                out.line((applied == 0 ? "Schema is up to date" : "Applied " + applied + " migration(s)") + " at version " + current
                        + " on " + db.description() + ".");
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
            App app = Commands.app(spec);
            Database db = app.database();
            List<Database.Migration> all = db.migrations();
            long pending = all.stream().filter(m -> m.state().equals("pending")).count();
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(new Json(db.description(), pending, all));
                return;
            }
            out.line("Database: " + db.description());
            List<List<String>> rows = new ArrayList<>();
            for (Database.Migration m : all) {
                rows.add(Output.row(m.version(), m.description(), m.state(), m.installedOn()));
            }
            out.table(List.of("VERSION", "DESCRIPTION", "STATE", "INSTALLED"), rows);
            out.line(pending == 0 ? "No pending migrations." : pending + " pending migration(s): run 'billing db migrate'.");
        }

        /** {@code -o json db status}: each migration as {version, description, state, installedOn}. */
        record Json(String database, long pending, List<Database.Migration> migrations) {}
    }
}
