package dev.billingcli.cli;

import dev.billingcli.App;
import picocli.CommandLine.Model.CommandSpec;

/** What every command body needs: the run's {@link App} and an {@link Output} on picocli's writer. */
final class Commands {
    private Commands() {}

    static App app(CommandSpec spec) {
        return BillingCommand.app(spec);
    }

    static Output output(CommandSpec spec) {
        App app = app(spec);
        // Colour only for a person at a terminal: never in pipes, files or JSON.
        return new Output(spec.commandLine().getOut(), app.settings().json(), app.settings().color() && terminal(spec));
    }

    /** A person at a terminal: the JVM has a console (stdin and stdout not redirected) that is not dumb. */
    static boolean terminal(CommandSpec spec) {
        return System.console() != null && !"dumb".equals(app(spec).settings().env("TERM"));
    }
}
