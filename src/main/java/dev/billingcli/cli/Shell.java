package dev.billingcli.cli;

import dev.billingcli.ExitCode;
import dev.billingcli.Services;
import dev.billingcli.config.Secrets;
import dev.billingcli.config.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedStyle;
import org.jline.utils.AttributedStringBuilder;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code billing shell}: a REPL that runs every billing command with the same syntax, keeping one
 * database pool (and embedded server), one Stripe client and the parsed catalog across commands
 * ({@link Services}). Each line runs through {@link BillingCommand#execute} exactly as a one-shot
 * run would, so output, errors and exit codes are the same; an error never ends the shell.
 */
public final class Shell {
    private final Terminal terminal;
    private final Map<String, String> env;
    private final Path workingDir;
    private final List<String> globalArgs;
    private final Settings settings;
    private final Services services = new Services();
    private int lastExit;

    /** @param globalArgs the global options the shell was started with, applied to every line */
    public Shell(Terminal terminal, Map<String, String> env, Path workingDir, List<String> globalArgs, Settings settings) {
        this.terminal = terminal;
        this.env = env;
        this.workingDir = workingDir;
        this.globalArgs = List.copyOf(globalArgs);
        this.settings = settings;
    }

    public int run() {
        CommandSpec commands = BillingCommand.commandLine(env, workingDir, new PrintWriter(Writer.nullWriter()),
                new PrintWriter(Writer.nullWriter()), null).getCommandSpec();
        // what makes no sense inside the shell is not offered by Tab
        commands.removeSubcommand("shell");
        commands.removeSubcommand("completion");
        LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("billing")
                .parser(new DefaultParser())
                .history(new RedactingHistory())
                .completer(new ShellCompleter(commands, services, settings, workingDir))
                .variable(LineReader.HISTORY_FILE, settings.dataDir().resolve("shell_history"))
                .variable(LineReader.HISTORY_SIZE, 2000)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.AUTO_FRESH_LINE, true)
                .build();
        PrintWriter screen = terminal.writer();
        screen.println("billing shell: every billing command, without the 'billing'. Tab completes; 'help' lists commands; "
                + "Ctrl-C cancels a command; Ctrl-D or 'exit' leaves.");
        screen.flush();
        try (services) {
            while (true) {
                String line;
                try {
                    line = reader.readLine(prompt());
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C at the prompt clears the line
                } catch (EndOfFileException e) {
                    break;
                }
                List<String> words = new ArrayList<>(reader.getParsedLine().words());
                words.removeIf(String::isEmpty);
                if (words.isEmpty()) {
                    continue;
                }
                String first = words.get(0);
                if (first.equals("exit") || first.equals("quit")) {
                    break;
                }
                if (first.equals("shell")) {
                    screen.println("billing: already in the shell");
                    screen.flush();
                    continue;
                }
                lastExit = execute(words);
            }
        } finally {
            try {
                reader.getHistory().save();
            } catch (IOException e) {
                screen.println("billing: could not save the shell history: " + e.getMessage());
            }
            screen.flush();
        }
        return ExitCode.OK;
    }

    /** The exit code of the last command run (for tests and the prompt). */
    int lastExit() {
        return lastExit;
    }

    String prompt() {
        AttributedStringBuilder p = new AttributedStringBuilder().append("billing");
        String key = settings.stripeKey();
        if (key != null && key.matches("(sk|rk)_live_.*")) {
            p.append(" ").style(AttributedStyle.BOLD.foreground(AttributedStyle.RED)).append("LIVE").style(AttributedStyle.DEFAULT);
        } else if (key != null) {
            p.append(" (test)");
        }
        if (lastExit != 0) {
            p.append(" [" + lastExit + "]");
        }
        return p.append("> ").toAnsi(terminal);
    }

    /**
     * Runs one command on a worker thread so that Ctrl-C can abandon it: the shell returns to the
     * prompt at once, and whatever the abandoned command still prints is dropped.
     */
    private int execute(List<String> words) {
        List<String> args = new ArrayList<>(globalArgs);
        args.addAll(words);
        AtomicBoolean cancelled = new AtomicBoolean();
        PrintWriter out = new PrintWriter(new GatedWriter(terminal.writer(), cancelled), true);
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                result.complete(BillingCommand.execute(args.toArray(String[]::new), env, workingDir, out, out, services));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "billing-shell-command");
        worker.setDaemon(true);
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> {
            cancelled.set(true);
            result.cancel(false);
            worker.interrupt();
        });
        worker.start();
        try {
            return result.get();
        } catch (CancellationException e) {
            terminal.writer().println("^C cancelled");
            return ExitCode.INTERRUPTED; // not a failure of Stripe or the database: the prompt shows [130]
        } catch (ExecutionException e) {
            terminal.writer().println("billing: " + e.getCause());
            return ExitCode.SERVICE_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.SERVICE_FAILED;
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
            terminal.writer().flush();
        }
    }

    /**
     * The history as typed, except secret values ({@code --stripe-key}, {@code --secret}, a password in a
     * database URL, anything shaped like a Stripe key or signing secret), which are masked before the line
     * is kept: the history file lives on disk in the data dir. Recalling such a line brings back the mask.
     */
    static final class RedactingHistory extends DefaultHistory {
        @Override
        public void add(java.time.Instant time, String line) {
            super.add(time, Secrets.redact(line));
        }
    }

    /** Passes writes through until the command is cancelled, then drops them. */
    private static final class GatedWriter extends Writer {
        private final Writer target;
        private final AtomicBoolean closed;

        GatedWriter(Writer target, AtomicBoolean closed) {
            this.target = target;
            this.closed = closed;
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            if (!closed.get()) {
                target.write(buf, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (!closed.get()) {
                target.flush();
            }
        }

        @Override
        public void close() {}
    }
}
