package dev.billingcli.cli;

import dev.billingcli.doctor.Schema;
import java.util.ArrayList;
import dev.billingcli.doctor.DatabaseServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "db", description = "The database: where it is, its migrations.",
        subcommands = {DbCommand.Migrate.class, DbCommand.Status.class, DbCommand.Start.class, DbCommand.Stop.class, DbCommand.Serve.class},
        footerHeading = "%nExamples:%n", footer = {"  billing db status", "  billing --database-url postgres://app@db:5432/billing db migrate",
                "  billing db start --idle 30m"})
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

    @Command(name = "start", description = "Keep the embedded PostgreSQL up between one-shot commands (they attach to it instead of "
            + "starting their own: only the first pays the start). A background 'billing db serve' holds it and stops it after "
            + "--idle without client connections, or on 'billing db stop'. Exit 2 with a database URL, 3 when it cannot start.",
            footerHeading = "%nExamples:%n", footer = {"  billing db start", "  billing db start --idle 2h"})
    static final class Start implements Runnable {
        @Option(names = "--idle", paramLabel = "SPAN", defaultValue = "30m",
                description = "Stop after this long without a client connection (30s, 30m, 2h) [default: ${DEFAULT-VALUE}].")
        String idle;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            Duration span = TimeArgs.span("--idle", idle);
            var app = Commands.app(spec);
            DatabaseServer server = app.databaseServer();
            boolean was = server.running().isPresent();
            DatabaseServer.Running r = server.start(app.launcher(), span, Duration.ofSeconds(60));
            Output out = Commands.output(spec);
            String message = !was ? "embedded PostgreSQL up on port " + r.port() + " (process " + r.pid() + "); it stops after "
                    + idle + " without a client, or with 'billing db stop'"
                    : r.ours() ? "already running on port " + r.port() + " (process " + r.pid() + ")"
                    : "already running on port " + r.port() + ", held by another billing process";
            if (out.json()) {
                out.json(new Json(r.port(), r.ours() ? r.pid() : null, !was, message));
            } else {
                out.line(message);
            }
        }

        /** {@code -o json db start}. */
        record Json(int port, Long pid, boolean started, String message) {}
    }

    @Command(name = "stop", description = "Stop the embedded PostgreSQL that 'billing db start' keeps up. Exit 4 when another billing "
            + "process (webhook-serve, shell) holds it: stop that one.",
            footerHeading = "%nExamples:%n", footer = "  billing db stop")
    static final class Stop implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            String message = Commands.app(spec).databaseServer().stop(Duration.ofSeconds(30));
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(new Json(message));
            } else {
                out.line(message);
            }
        }

        /** {@code -o json db stop}. */
        record Json(String message) {}
    }

    @Command(name = "serve", hidden = true, description = "Hold the embedded PostgreSQL until idle (what 'db start' runs in the background).",
            footerHeading = "%nExamples:%n", footer = "  billing db serve --idle 30m")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--idle", paramLabel = "SPAN", defaultValue = "30m", description = "Stop after this long without a client connection.")
        String idle;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            Duration span = TimeArgs.span("--idle", idle);
            var app = Commands.app(spec);
            String why = app.databaseServer().serve(app::database, span, Duration.ofMillis(Math.min(5_000, Math.max(200, span.toMillis() / 10))));
            Commands.output(spec).line("db serve: stopping, " + why);
            return 0;
        }
    }
}
