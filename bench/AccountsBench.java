// `accounts list` (each filter) and `report` on a million accounts, inside one JVM as `billing shell` runs
// them (BillingCommand.execute with the session's shared Services), medians after warm-up; then PostgreSQL's
// plan of each filter's query (explain analyze), to show which index it uses. Not a test.
// Usage: java -Dbilling.embedded.durable=false -cp target/billing.jar bench/AccountsBench.java DATA_DIR [accounts] [runs]
import dev.billingcli.Services;
import dev.billingcli.cli.BillingCommand;
import dev.billingcli.store.Database;
import dev.billingcli.support.AccountsService;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class AccountsBench {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]).toAbsolutePath();
        int accounts = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 21;
        try (Database db = Database.open(null, data, 2, m -> System.err.println(m))) {
            db.migrate();
            // a data dir seeded before (BENCH_DATA) is reused when it holds this many accounts, each with a subscription
            boolean seeded = db.jdbi().withHandle(h -> h.createQuery("select (select count(*) from accounts) = :n"
                    + " and (select count(distinct account_id) from subscriptions) = :n").bind("n", (long) accounts).mapTo(Boolean.class).one());
            if (!seeded) {
                long t0 = System.nanoTime();
                seed(db, accounts);
                System.out.printf("seeded %,d accounts in %.1f s (insert, indexes, vacuum analyze)%n", accounts, (System.nanoTime() - t0) / 1e9);
            }
            printShape(db);

            // the commands, as shell lines, on the same server (the command path attaches to it through its data dir)
            Map<String, List<String>> commands = new LinkedHashMap<>();
            commands.put("accounts list (no filter)", List.of("accounts", "list"));
            commands.put("--status past_due,unpaid", List.of("accounts", "list", "--status", "past_due,unpaid"));
            commands.put("--status active", List.of("accounts", "list", "--status", "active"));
            commands.put("--plan business", List.of("accounts", "list", "--plan", "business"));
            commands.put("--trial-ends-within 7d", List.of("accounts", "list", "--trial-ends-within", "7d"));
            commands.put("--cancels-within 30d", List.of("accounts", "list", "--cancels-within", "30d"));
            commands.put("--cancels-within 2d", List.of("accounts", "list", "--cancels-within", "2d"));
            commands.put("--paused", List.of("accounts", "list", "--paused"));
            commands.put("--since 7d", List.of("accounts", "list", "--since", "7d"));
            commands.put("--status past_due --plan pro", List.of("accounts", "list", "--status", "past_due", "--plan", "pro"));
            commands.put("--after (page 2 of --paused)", List.of("accounts", "list", "--paused", "--after", firstPagesLast(db, "--paused")));
            commands.put("report", List.of("report"));
            Path cwd = Path.of("").toAbsolutePath();
            System.out.printf("%nInside one JVM as billing shell runs them (%d runs after 10 warm-up, -o json, --limit 50):%n", runs);
            try (Services services = new Services()) {
                for (Map.Entry<String, List<String>> c : commands.entrySet()) {
                    String[] argv = concat(List.of("--data-dir", data.toString(), "-o", "json"), c.getValue());
                    long[] ns = new long[runs];
                    int code = 0;
                    for (int w = 0; w < 10; w++) {
                        code = run(argv, cwd, services);
                    }
                    for (int r = 0; r < runs; r++) {
                        long t0 = System.nanoTime();
                        code = run(argv, cwd, services);
                        ns[r] = System.nanoTime() - t0;
                    }
                    Arrays.sort(ns);
                    System.out.printf("  %-32s median %7.2f ms  p90 %7.2f ms  (exit %d)%n", c.getKey(), ns[runs / 2] / 1e6, ns[runs * 9 / 10] / 1e6, code);
                }
            }

            System.out.println("\nPlans (explain analyze, costs off) of each filter's query:");
            Instant now = Instant.now();
            Map<String, AccountsService.Query> queries = new LinkedHashMap<>();
            queries.put("no filter", q(List.of(), null, null, null, false, null));
            queries.put("--status past_due,unpaid", q(List.of("past_due", "unpaid"), null, null, null, false, null));
            queries.put("--status active", q(List.of("active"), null, null, null, false, null));
            queries.put("--plan business", q(List.of(), "business", null, null, false, null));
            queries.put("--trial-ends-within 7d", q(List.of(), null, Duration.ofDays(7), null, false, null));
            queries.put("--cancels-within 30d", q(List.of(), null, null, Duration.ofDays(30), false, null));
            queries.put("--cancels-within 2d", q(List.of(), null, null, Duration.ofDays(2), false, null));
            queries.put("--paused", q(List.of(), null, null, null, true, null));
            queries.put("--since 7d", q(List.of(), null, null, null, false, now.minus(Duration.ofDays(7))));
            for (Map.Entry<String, AccountsService.Query> e : queries.entrySet()) {
                System.out.println("\n== " + e.getKey());
                db.read(tx -> tx.accountQueries().explain(AccountsService.filter(e.getValue(), now))).forEach(l -> System.out.println("  " + l));
            }
        }
    }

    static AccountsService.Query q(List<String> statuses, String plan, Duration trial, Duration cancels, boolean paused, Instant since) {
        return new AccountsService.Query(statuses, plan, trial, cancels, paused, since, null, 50);
    }

    /** The last account of the first page of a filter: the cursor for page 2. */
    static String firstPagesLast(Database db, String filter) {
        return db.jdbi().withHandle(h -> h.createQuery("select a.account_id from accounts a join subscriptions s on s.account_id = a.account_id"
                + " where (s.status = 'paused' or s.pause_behavior is not null) order by a.created_at desc, a.account_id desc offset 49 limit 1").mapTo(String.class).one());
    }

    /**
     * A million accounts, newest every 30 s back over about a year, each with one subscription; every 20th
     * has an older canceled one too. Statuses by a hash of the number: 70 % active, 8 % trialing, 4 % past_due,
     * 12 % canceled, 2 % unpaid, 1 % paused, 1.5 % incomplete, 1 % incomplete_expired, 0.5 % pending_payment;
     * 1 % of the active ones have their payment collection paused (pause_behavior void: accounts list --paused).
     */
    static void seed(Database db, int n) {
        db.jdbi().useHandle(h -> {
            h.execute("truncate accounts, subscriptions, purchases, credit_ledger, licenses cascade");
            h.execute("set synchronous_commit = off");
            h.execute("set maintenance_work_mem = '256MB'");
            h.execute("""
                    insert into accounts (account_id, stripe_customer_id, email, created_at, updated_at)
                    select 'acct_' || lpad(i::text, 7, '0'), 'cus_' || i, 'billing@acct' || i || '.test',
                           now() - i * interval '30 seconds', now()
                      from generate_series(1, ?) i""", n);
            h.execute("""
                    insert into subscriptions (stripe_subscription_id, account_id, stripe_customer_id, plan_id, price_id, price_lookup_key,
                           interval, quantity, status, current_period_start, current_period_end, cancel_at_period_end, cancel_at,
                           canceled_at, ended_at, trial_start, trial_end, pause_behavior, pause_paid_until, created_at, updated_at)
                    select 'sub_' || i, 'acct_' || lpad(i::text, 7, '0'), 'cus_' || i, plan, 'price_' || plan || '_' || cyc,
                           plan || '_' || cyc, case cyc when 'yearly' then 'year' else 'month' end, qty, status,
                           ps, ps + case cyc when 'yearly' then interval '1 year' else interval '1 month' end,
                           status in ('active', 'trialing', 'past_due') and i % 25 = 0,
                           case when status = 'active' and i % 97 = 0 then now() + (i % 60) * interval '1 day' end,
                           case when status = 'canceled' then now() - (i % 365) * interval '1 day' end,
                           case when status = 'canceled' then now() - (i % 365) * interval '1 day' end,
                           case when status = 'trialing' or i % 10 = 0 then ts end,
                           case when status = 'trialing' or i % 10 = 0 then ts + interval '14 days' end,
                           case when status = 'active' and i % 100 = 3 then 'void' end,
                           case when status = 'active' and i % 100 = 3 then ps + interval '1 month' end,
                           now() - i * interval '30 seconds', now()
                      from (select i, h,
                                   case when i % 3 = 1 then 'business' else 'pro' end as plan,
                                   case when i % 4 = 0 then 'yearly' else 'monthly' end as cyc,
                                   case when i % 5 = 0 then 1 + i % 7 else 1 end as qty,
                                   case when h < 700 then 'active' when h < 780 then 'trialing' when h < 820 then 'past_due'
                                        when h < 940 then 'canceled' when h < 960 then 'unpaid' when h < 970 then 'paused'
                                        when h < 985 then 'incomplete' when h < 995 then 'incomplete_expired' else 'pending_payment' end as status,
                                   now() - (i % 28) * interval '1 day' - interval '1 hour' as ps,
                                   now() - (i % 14) * interval '1 day' - interval '1 hour' as ts
                              from (select i, (i::bigint * 7919) % 1000 as h from generate_series(1, ?) i) g) x""", n);
            h.execute("""
                    insert into subscriptions (stripe_subscription_id, account_id, stripe_customer_id, plan_id, price_id, price_lookup_key,
                           interval, quantity, status, current_period_start, current_period_end, canceled_at, ended_at, created_at)
                    select 'sub_old_' || i, 'acct_' || lpad(i::text, 7, '0'), 'cus_' || i, 'pro', 'price_pro_monthly', 'pro_monthly',
                           'month', 1, 'canceled', now() - interval '400 days', now() - interval '370 days',
                           now() - interval '370 days', now() - interval '370 days', now() - i * interval '30 seconds' - interval '400 days'
                      from generate_series(20, ?, 20) i""", n);
            h.execute("vacuum analyze accounts");
            h.execute("vacuum analyze subscriptions");
        });
    }

    static void printShape(Database db) {
        db.jdbi().useHandle(h -> {
            System.out.println("rows: " + h.createQuery("select (select count(*) from accounts) || ' accounts, ' || (select count(*) from subscriptions)"
                    + " || ' subscriptions'").mapTo(String.class).one());
            System.out.println("PostgreSQL " + h.createQuery("show server_version").mapTo(String.class).one());
        });
    }

    static String[] concat(List<String> a, List<String> b) {
        String[] all = new String[a.size() + b.size()];
        for (int i = 0; i < a.size(); i++) {
            all[i] = a.get(i);
        }
        for (int i = 0; i < b.size(); i++) {
            all[a.size() + i] = b.get(i);
        }
        return all;
    }

    static int run(String[] argv, Path cwd, Services services) {
        StringWriter sink = new StringWriter();
        PrintWriter w = new PrintWriter(sink);
        return BillingCommand.execute(argv, System.getenv(), cwd, w, w, services);
    }
}
