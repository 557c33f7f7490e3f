package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.BillingException;
import dev.billingcli.ExitCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "shell",
        description = "An interactive shell for support work: every billing command without the 'billing', one database "
                + "pool and Stripe client kept across commands, Tab completion of commands, options, plan and account ids, "
                + "history kept in the data dir. The prompt shows LIVE in red with a live key.",
        footerHeading = "%nExamples:%n",
        footer = {"  billing shell", "  billing --database-url postgres://app@db/billing shell",
                "  billing> status --account acme", "  billing> reactivate --account acme --reason \"asked by phone\""})
final class ShellCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        App app = Commands.app(spec);
        BillingCommand root = (BillingCommand) spec.root().userObject();
        // the global options given before 'shell' apply to every line
        List<String> original = spec.root().commandLine().getParseResult().originalArgs();
        List<String> globalArgs = new ArrayList<>(original.subList(0, Math.max(0, original.indexOf("shell"))));
        try (Terminal terminal = TerminalBuilder.builder().name("billing").system(true).nativeSignals(true).build()) {
            return new Shell(terminal, root.env, app.workingDir(), globalArgs, app.settings()).run();
        } catch (IOException e) {
            throw new BillingException(ExitCode.SERVICE_FAILED, "cannot open the terminal: " + e.getMessage(), e);
        }
    }
}
