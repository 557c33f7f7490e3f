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
        boolean terminal = System.console() != null && !"dumb".equals(app.settings().env("TERM"));
        return new Output(spec.commandLine().getOut(), app.settings().json(), app.settings().color() && terminal);
    }
}
