import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Load generator for webhook-serve (not a test): signed customer.subscription.updated events for N
 * subscriptions, each of its own account (metadata account_id, as a checkout would link it), over loopback, 10% duplicate deliveries, 5% late older events, at each concurrency for
 * a fixed time. Reports events/s, p50/p99 latency, errors, CPU per event (server + PostgreSQL, from
 * /proc; also the generator's own), then checks that every subscription row holds the newest state sent.
 *
 * The generator shares the machine's 2 cores with the server and PostgreSQL, so it is kept lean: each
 * worker thread posts over its own keep-alive HTTP/1.1 connection, written and read by hand
 * (java.net.http.HttpClient cost about 0.3 ms of CPU per request here, a quarter of the total).
 *
 * java -cp target/billing.jar bench/WebhookLoad.java URL SECRET JDBC_URL SERVER_PID POSTMASTER_PID SUBS SECONDS C1,C2,…
 */
public class WebhookLoad {
    static final long BASE = 1_700_000_000L;
    static String url, secret;
    static int subs;
    static AtomicLongArray version;           // newest version handed out per subscription
    static final int RECENT = 1 << 16;
    static final java.util.concurrent.atomic.AtomicReferenceArray<byte[]> sent = new java.util.concurrent.atomic.AtomicReferenceArray<>(RECENT); // recent bodies, for duplicates
    static final AtomicLong eventNo = new AtomicLong();
    static final ThreadLocal<Connection1> connection = new ThreadLocal<>();
    static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return m;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    });

    /** One keep-alive HTTP/1.1 connection to the server; requests on it one at a time. */
    static final class Connection1 {
        final Socket socket;
        final OutputStream out;
        final InputStream in;
        final byte[] head;

        Connection1(URI u) throws IOException {
            socket = new Socket(u.getHost(), u.getPort());
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
            head = ("POST " + u.getRawPath() + " HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort()
                    + "\r\nContent-Type: application/json\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        int post(String signature, byte[] body) throws IOException {
            byte[] headers = ("Stripe-Signature: " + signature + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] request = new byte[head.length + headers.length + body.length];
            System.arraycopy(head, 0, request, 0, head.length);
            System.arraycopy(headers, 0, request, head.length, headers.length);
            System.arraycopy(body, 0, request, head.length + headers.length, body.length);
            out.write(request);
            out.flush();
            String status = line();
            if (!status.startsWith("HTTP/1.1 ")) {
                throw new IOException("not an HTTP answer: " + status);
            }
            int length = -1;
            for (String h = line(); !h.isEmpty(); h = line()) {
                if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            if (length < 0) {
                throw new IOException("an answer without Content-Length");
            }
            in.readNBytes(length);
            return Integer.parseInt(status.substring(9, 12));
        }

        private String line() throws IOException {
            StringBuilder b = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    b.append((char) c);
                }
            }
            return b.toString();
        }
    }

    public static void main(String[] a) throws Exception {
        url = a[0];
        secret = a[1];
        String jdbc = a[2];
        long serverPid = Long.parseLong(a[3]);
        long postmaster = Long.parseLong(a[4]);
        subs = Integer.parseInt(a[5]);
        int seconds = Integer.parseInt(a[6]);
        version = new AtomicLongArray(subs);
        if (a.length > 8) {
            seed(jdbc, Integer.parseInt(a[8]));
        }
        // create every subscription first (version 0), so later events are updates
        for (int i = 0; i < subs; i++) {
            send(build(i, 0, eventNo.incrementAndGet()));
        }
        System.out.printf("%-11s %9s %8s %8s %7s %14s %13s %10s %9s%n", "concurrency", "events/s", "p50 ms", "p99 ms", "errors",
                "CPU ms/ev s+pg", "generator ms", "duplicates", "late-old");
        for (String level : a[7].split(",")) {
            if (level.startsWith("w")) { // a warm-up level: run, do not report
                run(Integer.parseInt(level.substring(1)), seconds / 2, serverPid, postmaster, false);
            } else {
                run(Integer.parseInt(level), seconds, serverPid, postmaster, true);
            }
        }
        check(jdbc);
    }

    static void run(int concurrency, int seconds, long serverPid, long postmaster, boolean report) throws Exception {
        long self = ProcessHandle.current().pid();
        long server0 = cpu(serverPid), pg0 = postgresCpu(postmaster), gen0 = cpu(self);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<long[]> latencies = new ArrayList<>();
        AtomicLong errors = new AtomicLong(), dups = new AtomicLong(), late = new AtomicLong(), count = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            long[] lat = new long[2_000_000];
            latencies.add(lat);
            Thread th = new Thread(() -> {
                int n = 0;
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (System.nanoTime() < end && n < lat.length) {
                    byte[] body;
                    double p = r.nextDouble();
                    if (p < 0.10) {
                        long newest = eventNo.get();
                        body = sent.get((int) ((newest - r.nextLong(Math.min(newest, RECENT - 1))) % RECENT));
                        if (body == null) {
                            continue;
                        }
                        dups.incrementAndGet();
                    } else if (p < 0.15) {
                        int s = r.nextInt(subs);
                        long v = version.get(s);
                        if (v < 2) {
                            continue;
                        }
                        body = build(s, v - 1 - r.nextLong(Math.min(v - 1, 5)), eventNo.incrementAndGet()); // older state, new id
                        late.incrementAndGet();
                    } else {
                        int s = r.nextInt(subs);
                        long v = version.incrementAndGet(s);
                        body = build(s, v, eventNo.incrementAndGet());
                    }
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        status = send(body);
                    } catch (Exception e) {
                        status = -1;
                    }
                    lat[n++] = System.nanoTime() - t0;
                    count.incrementAndGet();
                    if (status != 200) {
                        errors.incrementAndGet();
                    }
                }
                lat[lat.length - 1] = n;
                Connection1 c = connection.get();
                if (c != null) {
                    try {
                        c.socket.close();
                    } catch (IOException ignored) {
                        // closing at the end of a level
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long server1 = cpu(serverPid), pg1 = postgresCpu(postmaster), gen1 = cpu(self);
        long total = 0;
        for (long[] l : latencies) {
            total += l[l.length - 1];
        }
        long[] all = new long[(int) total];
        int k = 0;
        for (long[] l : latencies) {
            int n = (int) l[l.length - 1];
            System.arraycopy(l, 0, all, k, n);
            k += n;
        }
        Arrays.sort(all);
        double clkTck = 100.0;
        double serverMs = (server1 - server0) * 1000.0 / clkTck / count.get();
        double pgMs = (pg1 - pg0) * 1000.0 / clkTck / count.get();
        double genMs = (gen1 - gen0) * 1000.0 / clkTck / count.get();
        if (!report) {
            return;
        }
        System.out.printf("%-11d %9.0f %8.2f %8.2f %7d %14s %13.2f %10d %9d%n", concurrency, count.get() / elapsed,
                all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, errors.get(),
                String.format("%.2f+%.2f", serverMs, pgMs), genMs, dups.get(), late.get());
    }

    /** A subscription state: version v is encoded as the quantity and as the event's created second. */
    static byte[] build(int s, long v, long id) {
        String sub = "sub_bench" + s;
        long created = BASE + v;
        String json = "{\"id\":\"evt_bench" + id + "\",\"object\":\"event\",\"api_version\":\"2026-07-29.dahlia\",\"created\":" + created
                + ",\"livemode\":false,\"pending_webhooks\":1,\"request\":{\"id\":null,\"idempotency_key\":null},"
                + "\"type\":\"" + (v == 0 ? "customer.subscription.created" : "customer.subscription.updated") + "\",\"data\":{\"object\":{"
                + "\"id\":\"" + sub + "\",\"object\":\"subscription\",\"customer\":\"cus_bench" + s + "\",\"status\":\"active\","
                + "\"cancel_at_period_end\":false,\"cancel_at\":null,\"canceled_at\":null,\"ended_at\":null,\"trial_start\":null,"
                + "\"trial_end\":null,\"created\":" + BASE + ",\"currency\":\"eur\",\"livemode\":false,"
                + "\"metadata\":{\"account_id\":\"acct_bench" + s + "\"},"
                + "\"items\":{\"object\":\"list\",\"has_more\":false,\"data\":[{\"id\":\"si_bench" + s + "\",\"object\":\"subscription_item\","
                + "\"quantity\":" + (v + 1) + ",\"current_period_start\":" + BASE + ",\"current_period_end\":" + (BASE + 2592000)
                + ",\"price\":{\"id\":\"price_pro_monthly\",\"object\":\"price\",\"lookup_key\":\"pro_monthly\",\"currency\":\"eur\","
                + "\"unit_amount\":990,\"recurring\":{\"interval\":\"month\",\"interval_count\":1},\"metadata\":{}}}]}}"
                + (v == 0 ? "" : ",\"previous_attributes\":{\"items\":{\"data\":[{\"quantity\":" + v + "}]}}") + "}}";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        sent.set((int) (id % RECENT), body);
        return body;
    }

    static int send(byte[] body) throws Exception {
        long t = System.currentTimeMillis() / 1000;
        Mac mac = MAC.get();
        mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
        String sig = "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        Connection1 c = connection.get();
        if (c == null) {
            c = new Connection1(URI.create(url));
            connection.set(c);
        }
        try {
            return c.post(sig, body);
        } catch (IOException e) {
            connection.remove(); // a fresh connection for the next request
            c.socket.close();
            throw e;
        }
    }

    /** utime + stime of a process, in clock ticks. */
    static long cpu(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (Exception e) {
            return 0;
        }
    }

    /** The postmaster and its children (backends, walwriter, checkpointer…), including exited children. */
    static long postgresCpu(long postmaster) throws Exception {
        long sum = cpu(postmaster);
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) dirs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(f[1]) == postmaster) {
                        sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                } catch (Exception gone) {
                    // exited meanwhile
                }
            }
        }
        return sum;
    }

    /** Rows that are already there: other subscriptions, each with one stored event. */
    static void seed(String jdbc, int rows) throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("""
                    insert into accounts (account_id, stripe_customer_id)
                    select 'acct_seed' || g, 'cus_seed' || g from generate_series(1, """ + rows + ") g");
            st.execute("""
                    insert into subscriptions (stripe_subscription_id, account_id, stripe_customer_id, plan_id, price_id, price_lookup_key,
                        interval, quantity, status, current_period_start, current_period_end, last_event_created, last_event_id)
                    select 'sub_seed' || g, 'acct_seed' || g, 'cus_seed' || g, 'pro', 'price_pro_monthly', 'pro_monthly', 'month', 1, 'active',
                        now(), now() + interval '30 days', to_timestamp(1700000000), 'evt_seed' || g
                    from generate_series(1, """ + rows + ") g");
            st.execute("""
                    insert into stripe_events (event_id, type, created, object_id, payload, outcome, processed_at)
                    select 'evt_seed' || g, 'customer.subscription.updated', to_timestamp(1700000000), 'sub_seed' || g,
                        jsonb_build_object('id', 'evt_seed' || g, 'object', 'event', 'pad', repeat('x', 400)), 'applied', now()
                    from generate_series(1, """ + rows + ") g");
            st.execute("vacuum analyze accounts");
            st.execute("vacuum analyze subscriptions");
            st.execute("vacuum analyze stripe_events");
            st.execute("checkpoint");
        }
        System.out.printf("seeded %d accounts with a subscription each and %d events in %.1f s%n", rows, rows, (System.nanoTime() - t0) / 1e9);
    }

    static void check(String jdbc) throws Exception {
        long stale = 0, missing = 0, unlinked = 0;
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement st = c.createStatement()) {
            long[] quantity = new long[subs];
            Arrays.fill(quantity, -1);
            try (ResultSet rs = st.executeQuery("select stripe_subscription_id, quantity, account_id from subscriptions where stripe_subscription_id like 'sub_bench%'")) {
                while (rs.next()) {
                    int s = Integer.parseInt(rs.getString(1).substring(9));
                    quantity[s] = rs.getLong(2);
                    if (!("acct_bench" + s).equals(rs.getString(3))) {
                        unlinked++;
                    }
                }
            }
            for (int s = 0; s < subs; s++) {
                if (quantity[s] < 0) {
                    missing++;
                } else if (quantity[s] != version.get(s) + 1) {
                    stale++;
                }
            }
            try (ResultSet rs = st.executeQuery("select outcome, count(*) from stripe_events where event_id like 'evt_bench%' group by 1 order by 1")) {
                StringBuilder sb = new StringBuilder();
                while (rs.next()) {
                    sb.append(rs.getString(1)).append('=').append(rs.getLong(2)).append(' ');
                }
                System.out.println("stored outcomes: " + sb.toString().strip());
            }
        }
        System.out.println("check: " + subs + " subscriptions, " + stale + " not at the newest state sent, " + missing + " missing, "
                + unlinked + " not linked to their account");
    }
}
