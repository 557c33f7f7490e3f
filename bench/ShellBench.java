// A command inside `billing shell`: the same code path as a shell line (BillingCommand.execute with
// the session's shared Services), timed after warm-up. Not a test.
// Usage: java -cp target/billing.jar bench/ShellBench.java [runs] [GLOBAL OPTIONS] -- COMMAND... [-- COMMAND...]
//        java -cp target/billing.jar bench/ShellBench.java seed DATA_DIR ACCOUNT   (an account with a subscription)
//        java -cp target/billing.jar bench/ShellBench.java hold DATA_DIR           (keeps the embedded server up until stdin closes)
import dev.billingcli.Services;
import dev.billingcli.cli.BillingCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class ShellBench {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("seed") || args[0].equals("hold"))) {
            try (dev.billingcli.store.Database db = dev.billingcli.store.Database.open(null, Path.of(args[1]).toAbsolutePath(), 2,
                    m -> System.err.println(m))) {
                db.migrate();
                if (args[0].equals("seed")) {
                    seed(db, args[2]);
                } else {
                    System.out.println("ready");
                    System.out.flush();
                    while (System.in.read() >= 0) {
                        // hold the server until the bench closes our stdin
                    }
                }
            }
            return;
        }
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

    /** An account as after a checkout and its webhooks: a customer, a running subscription, a few events. */
    static void seed(dev.billingcli.store.Database db, String account) {
        long now = System.currentTimeMillis() / 1000;
        db.jdbi().useTransaction(h -> {
            h.createUpdate("insert into accounts (account_id, stripe_customer_id, email, credit_balance) values (:a, 'cus_bench', 'x@y.test', 1000)"
                    + " on conflict do nothing").bind("a", account).execute();
            h.createUpdate("insert into subscriptions (stripe_subscription_id, account_id, stripe_customer_id, plan_id, price_id,"
                    + " price_lookup_key, interval, quantity, status, current_period_start, current_period_end)"
                    + " values ('sub_bench', :a, 'cus_bench', 'pro', 'price_pro', 'pro_monthly', 'month', 1, 'active',"
                    + " to_timestamp(:s), to_timestamp(:e)) on conflict do nothing")
                    .bind("a", account).bind("s", now - 86400 * 10).bind("e", now + 86400 * 20).execute();
            for (int i = 0; i < 5; i++) {
                h.createUpdate("insert into stripe_events (event_id, type, created, account_id, object_id, payload, processed_at, outcome)"
                        + " values (:id, 'customer.subscription.updated', now(), :a, 'sub_bench', '{}', now(), 'applied') on conflict do nothing")
                        .bind("id", "evt_bench_" + i).bind("a", account).execute();
            }
        });
    }

    static int run(String[] argv, Path cwd, Services services) {
        StringWriter sink = new StringWriter();
        PrintWriter w = new PrintWriter(sink);
        return BillingCommand.execute(argv, System.getenv(), cwd, w, w, services);
    }
}
