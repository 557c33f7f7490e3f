package dev.billingcli;

import dev.billingcli.cli.BillingCommand;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Entry point. The only place that calls {@link System#exit}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = run(args, System.getenv(), Path.of("").toAbsolutePath(), out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line as the process would, without exiting: what the tests call. */
    public static int run(String[] args, Map<String, String> env, Path workingDir, PrintWriter out, PrintWriter err) {
        return BillingCommand.execute(args, env, workingDir, out, err);
    }
}
