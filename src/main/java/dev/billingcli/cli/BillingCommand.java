package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.BillingException;
import dev.billingcli.ExitCode;
import dev.billingcli.config.Secrets;
import dev.billingcli.config.Settings;
import dev.billingcli.config.Settings.OutputFormat;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The root command: global options (inherited by every subcommand), the exit-code table, and the one
 * place where errors become a line on stderr and an exit code.
 */
@Command(
        name = "billing",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = VersionInfo.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Stripe subscription billing for a SaaS product: the catalog (plans.yaml), subscription state "
                + "in PostgreSQL, the webhook listener, and the support actions.",
        footerHeading = "%nExamples:%n",
        footer = {"  billing plans list", "  billing -o json plans list", "  billing db status"})
public final class BillingCommand implements Callable<Integer> {

    @Option(names = "--plans", paramLabel = "FILE", scope = ScopeType.INHERIT, order = 100,
            description = "The catalog [env BILLING_PLANS; default ./plans.yaml].")
    Path plans;

    @Option(names = "--database-url", paramLabel = "URL", scope = ScopeType.INHERIT, order = 101,
            description = "postgres://user:pass@host:port/db or jdbc:postgresql://… [env DATABASE_URL; default: embedded].")
    String databaseUrl;

    @Option(names = "--data-dir", paramLabel = "DIR", scope = ScopeType.INHERIT, order = 102,
            description = "Where the embedded PostgreSQL keeps its data when no URL is given [env BILLING_DATA_DIR; default ./.billing].")
    Path dataDir;

    @Option(names = "--stripe-key", paramLabel = "KEY", scope = ScopeType.INHERIT, order = 103,
            description = "Stripe secret or restricted key [env STRIPE_SECRET_KEY].")
    String stripeKey;

    @Option(names = "--stripe-api-base", paramLabel = "URL", scope = ScopeType.INHERIT, order = 104,
            description = "Stripe API base URL, for a local stand-in [env STRIPE_API_BASE].")
    String stripeApiBase;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", scope = ScopeType.INHERIT, order = 105,
            description = "Output format; JSON goes to stdout alone [default: table].")
    OutputFormat output;

    @Option(names = "--no-color", scope = ScopeType.INHERIT, order = 106, description = "No colours [env NO_COLOR].")
    boolean noColor;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, order = 107,
            description = "Detail and stack traces on stderr.")
    boolean verbose;

    @Option(names = "--live", scope = ScopeType.INHERIT, order = 108,
            description = "Required for any Stripe write with a live key.")
    boolean live;

    /**
     * Every top-level command, in help order. Registered lazily: picocli builds a command's model by
     * reflection when it is added, so a run registers only the command it invokes (start-up time).
     */
    static final Map<String, java.util.function.Supplier<Object>> COMMANDS = commands();

    private static Map<String, java.util.function.Supplier<Object>> commands() {
        Map<String, java.util.function.Supplier<Object>> m = new LinkedHashMap<>();
        m.put("plans", PlansCommand::new);
        m.put("db", DbCommand::new);
        m.put("stripe:setup", StripeSetupCommand::new);
        m.put("stripe:verify", StripeVerifyCommand::new);
        m.put("stripe:webhook", StripeWebhookCommand::new);
        m.put("checkout", SupportCommands.Checkout::new);
        m.put("portal", SupportCommands.Portal::new);
        m.put("status", SupportCommands.Status::new);
        m.put("cancel", SupportCommands.Cancel::new);
        m.put("reactivate", SupportCommands.Reactivate::new);
        m.put("trial", TrialCommand::new);
        m.put("pause", PauseCommands.Pause::new);
        m.put("resume", PauseCommands.Resume::new);
        m.put("change-plan", ChangePlanCommand::new);
        m.put("discount", DiscountCommand::new);
        m.put("refund", RefundCommand::new);
        m.put("sync", SyncCommand::new);
        m.put("prices", PricesCommand::new);
        m.put("webhook-serve", WebhookServeCommand::new);
        m.put("webhook", WebhookCommand::new);
        m.put("events", EventsCommand::new);
        m.put("doctor", DoctorCommand::new);
        m.put("license", LicenseCommand::new);
        m.put("audit", AuditCommand::new);
        m.put("accounts", AccountsCommand::new);
        m.put("report", ReportCommand::new);
        m.put("shell", ShellCommand::new);
        m.put("completion", CompletionCommand::new);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Options of the root that take a value: skipped when looking for the command word. */
    private static final java.util.Set<String> VALUED = java.util.Set.of(
            "--plans", "--database-url", "--data-dir", "--stripe-key", "--stripe-api-base", "-o", "--output");

    /** Stands for "register no command": {@code billing --version} needs none. */
    static final String NONE = "";

    /**
     * The command the arguments invoke; {@link #NONE} for {@code --version}; null when they name none
     * (help, a typo: everything is registered, for the command list and suggestions).
     */
    static String invoked(String[] args) {
        int at = commandWord(args);
        if (at >= 0) {
            String a = args[at];
            return COMMANDS.containsKey(a) && !a.equals("completion") ? a : null;
        }
        return java.util.Arrays.stream(args).anyMatch(a -> a.equals("-V") || a.equals("--version")) ? NONE : null;
    }

    /** Where the command word is: the first argument that is neither a root option nor its value; -1 if none. */
    private static int commandWord(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (VALUED.contains(args[i])) {
                i++;
            } else if (!args[i].startsWith("-")) {
                return i;
            }
        }
        return -1;
    }

    /** "billing [options] help status" is "billing [options] status --help". */
    private static String[] helpAsOption(String[] args) {
        int at = commandWord(args);
        if (at < 0 || !args[at].equals("help")) {
            return args;
        }
        List<String> rest = new java.util.ArrayList<>(List.of(args));
        rest.remove(at);
        rest.add("--help");
        return rest.toArray(String[]::new);
    }

    @Spec
    CommandSpec spec;

    Map<String, String> env = Map.of();
    Path workingDir = Path.of("").toAbsolutePath();
    private App app;
    /** A shell session's shared services, or null for a one-shot run. */
    private dev.billingcli.Services services;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCode.OK;
    }

    /** The run's shared services, created after parsing from the flags, the environment and .env. */
    App app() {
        if (app == null) {
            if (verbose) {
                dev.billingcli.LogConfig.showStackTraces();
            }
            Settings settings = Settings.resolve(
                    new Settings.Flags(plans, databaseUrl, dataDir, stripeKey, stripeApiBase, output, noColor, verbose, live),
                    env, workingDir);
            PrintWriter err = spec.commandLine().getErr();
            app = new App(settings, workingDir, line -> {
                err.println("billing: " + line);
                err.flush();
            }, services);
        }
        return app;
    }

    /** The {@link App} of the command line a subcommand belongs to. */
    static App app(CommandSpec sub) {
        return ((BillingCommand) sub.root().userObject()).app();
    }

    /** Whether the subcommand runs as one command of a shell session (which handles Ctrl-C itself). */
    static boolean inShell(CommandSpec sub) {
        return ((BillingCommand) sub.root().userObject()).services != null;
    }

    /**
     * Builds the command line with its handlers; one instance per run.
     *
     * @param only the one command to register, {@link #NONE} for none, or null for all of them
     */
    public static CommandLine commandLine(Map<String, String> env, Path workingDir, PrintWriter out, PrintWriter err, String only) {
        BillingCommand root = new BillingCommand();
        root.env = env;
        root.workingDir = workingDir;
        CommandLine cl = new CommandLine(root);
        COMMANDS.forEach((name, factory) -> {
            if (only == null || only.equals(name)) {
                cl.addSubcommand(name, factory.get());
            }
        });
        cl.setOut(out).setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setHelpFactory(HelpLayout::new);
        cl.setParameterExceptionHandler(BillingCommand::handleParameterException);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> handleFailure(ex, root, err));
        Map<String, String> codes = new LinkedHashMap<>();
        ExitCode.TABLE.forEach(e -> codes.put(String.format("%3d", e.code()), e.meaning()));
        applyExitCodes(cl, codes);
        return cl;
    }

    public static int execute(String[] args, Map<String, String> env, Path workingDir, PrintWriter out, PrintWriter err) {
        return execute(args, env, workingDir, out, err, null);
    }

    /** Runs one command line; with {@code services}, as one command of a shell session that keeps them. */
    public static int execute(String[] args, Map<String, String> env, Path workingDir, PrintWriter out, PrintWriter err,
            dev.billingcli.Services services) {
        args = helpAsOption(args);
        CommandLine cl = commandLine(env, workingDir, out, err, invoked(args));
        BillingCommand root = cl.getCommand();
        root.services = services;
        try {
            return cl.execute(args);
        } finally {
            if (root.app != null) {
                root.app.close();
            }
            out.flush();
            err.flush();
        }
    }

    private static void applyExitCodes(CommandLine cl, Map<String, String> codes) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        // the examples are command lines to copy: one line each, never wrapped inside a URL or an option
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> {
            StringBuilder footer = new StringBuilder();
            for (String line : help.commandSpec().usageMessage().footer()) {
                footer.append(String.format(line)).append(System.lineSeparator());
            }
            return footer.toString();
        });
        cl.getSubcommands().values().forEach(sub -> applyExitCodes(sub, codes));
    }

    private static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String message = ex.getMessage().lines().findFirst().orElse("invalid usage");
        String hint = "";
        List<String> unmatched = cl.getUnmatchedArguments();
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            // picocli's index counts the shell's global options too: the word itself is what matters
            message = message.replaceFirst("^Unmatched argument(s?) at index \\d+: ", "Unexpected argument$1: ");
            if (!u.getSuggestions().isEmpty()) {
                hint = " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
            }
        } else if (!unmatched.isEmpty()) {
            // picocli checks required options before it reports what it could not match, so a typo in an
            // option's name would read "Missing required option": the word the user typed is the news
            String first = unmatched.get(0);
            if (first.startsWith("-")) {
                String name = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
                message = "Unknown option: '" + name + "'";
                List<String> suggestions = new CommandLine.UnmatchedArgumentException(cl, List.of(name)).getSuggestions();
                if (!suggestions.isEmpty()) {
                    hint = " (did you mean " + String.join(" or ", suggestions) + "?)";
                }
            } else {
                message = "Unexpected argument: '" + first + "'";
                if (ex instanceof CommandLine.MissingParameterException missing && missing.getMissing().size() == 1
                        && missing.getMissing().get(0) instanceof CommandLine.Model.OptionSpec option) {
                    hint = " (did you mean " + option.longestName() + " " + first + "?)";
                }
            }
        }
        err.println("billing: " + message + hint + "; see '" + helpCommand(cl) + "'");
        err.flush();
        return ExitCode.INVALID_INPUT;
    }

    /** How to ask for a command's help: "billing status --help", or "help status" inside the shell. */
    private static String helpCommand(CommandLine cl) {
        String qualified = cl.getCommandSpec().qualifiedName();
        boolean inShell = cl.getCommandSpec().root().userObject() instanceof BillingCommand root && root.services != null;
        if (!inShell) {
            return qualified + " --help";
        }
        String name = qualified.substring(cl.getCommandSpec().root().name().length()).trim();
        return name.isEmpty() ? "help" : "help " + name;
    }

    private static int handleFailure(Exception ex, BillingCommand root, PrintWriter err) {
        String key = root.app != null ? root.app.settings().stripeKey() : root.stripeKey;
        int code;
        String message;
        if (ex instanceof BillingException be) {
            code = be.exitCode();
            message = be.getMessage();
        } else {
            code = ExitCode.SERVICE_FAILED;
            message = "unexpected error: " + ex + (root.verbose ? "" : " (run with -v for details)");
        }
        for (String line : Secrets.scrub(message, key).split("\n")) {
            err.println("billing: " + line);
        }
        if (root.verbose) {
            Throwable shown = ex instanceof BillingException && ex.getCause() != null ? ex.getCause() : ex;
            java.io.StringWriter trace = new java.io.StringWriter();
            shown.printStackTrace(new PrintWriter(trace));
            err.print(Secrets.scrub(trace.toString(), key));
        }
        err.flush();
        return code;
    }
}
