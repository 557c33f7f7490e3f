// A command inside `billing shell`: the same code path as a shell line (BillingCommand.execute with
// the session's shared Services), timed after warm-up. Not a test.
// Usage: java -cp target/billing.jar bench/ShellBench.java [runs] [--database-url URL] -- COMMAND...
import dev.billingcli.Services;
import dev.billingcli.cli.BillingCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class ShellBench {
    public static void main(String[] args) {
        int runs = 101;
        List<String> global = new ArrayList<>();
        List<List<String>> commands = new ArrayList<>();
        int i = 0;
        if (i < args.length && args[i].matches("\\d+")) {
            runs = Integer.parseInt(args[i++]);
        }
        while (i < args.length && !args[i].equals("--")) {
            global.add(args[i++]);
        }
        List<String> current = null;
        for (; i < args.length; i++) {
            if (args[i].equals("--")) {
                current = new ArrayList<>();
                commands.add(current);
            } else {
                current.add(args[i]);
            }
        }
        Path cwd = Path.of("").toAbsolutePath();
        try (Services services = new Services()) {
            for (List<String> command : commands) {
                List<String> line = new ArrayList<>(global);
                line.addAll(command);
                String[] argv = line.toArray(String[]::new);
                long[] ms = new long[runs];
                int code = 0;
                for (int w = 0; w < 20; w++) {
                    code = run(argv, cwd, services);
                }
                for (int r = 0; r < runs; r++) {
                    long t0 = System.nanoTime();
                    code = run(argv, cwd, services);
                    ms[r] = System.nanoTime() - t0;
                }
                Arrays.sort(ms);
                System.out.printf("  %-28s median %6.2f ms  p90 %6.2f ms  (exit %d, %d runs after 20 warm-up)%n",
                        String.join(" ", command), ms[runs / 2] / 1e6, ms[runs * 9 / 10] / 1e6, code, runs);
            }
        }
    }

    static int run(String[] argv, Path cwd, Services services) {
        StringWriter sink = new StringWriter();
        PrintWriter w = new PrintWriter(sink);
        return BillingCommand.execute(argv, System.getenv(), cwd, w, w, services);
    }
}
