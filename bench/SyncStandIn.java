// The Stripe stand-in of the tests (dev.billingcli.fakestripe.FakeStripe, validating every request
// and every answer against Stripe's OpenAPI description), seeded with N subscriptions for bench/sync.sh. Prints its URL,
// then serves until stdin closes. Not a test.
// Usage: SyncStandIn N [--latency MIN_MS-MAX_MS] [--rate-limit PER_SECOND] [--validate-every K]
//   --latency 300-700   every answer takes a random time in that range, as Stripe's list of 100 with customers expanded
//   --rate-limit 25     Stripe's rate limiter (test mode: 25 requests/s): over it, Stripe's 429
//   --validate-every 20 every request is validated, but only every 20th answer (a page of 100 subscriptions with
//                       customers costs the validator ~80 ms of CPU: 25 pages/s would need two cores for it alone)
// The subscriptions' `created` seconds spread over the last two years, except that 5% of them (at most 5,000)
// share one second, as an import makes them. At the end it prints the requests it answered, the 429s among them,
// and a checksum of the ids, to compare with what billing wrote.
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.fakestripe.FakeStripe;
import java.time.Duration;
import java.util.Map;

public class SyncStandIn {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        FakeStripe fake = FakeStripe.start();
        for (int a = 1; a < args.length; a++) {
            switch (args[a]) {
                case "--latency" -> {
                    String[] range = args[++a].split("-");
                    fake.latency(Duration.ofMillis(Long.parseLong(range[0])), Duration.ofMillis(Long.parseLong(range[1])));
                }
                case "--rate-limit" -> fake.rateLimit(Integer.parseInt(args[++a]));
                case "--validate-every" -> fake.validateEveryNthAnswer(Integer.parseInt(args[++a]));
                default -> throw new IllegalArgumentException("unknown option " + args[a]);
            }
        }
        int validated = 1;
        for (int a = 1; a < args.length - 1; a++) {
            if (args[a].equals("--validate-every")) {
                validated = Integer.parseInt(args[a + 1]);
            }
        }
        ObjectMapper json = new ObjectMapper();
        for (String key : new String[] {"pro_monthly", "business_yearly"}) {
            ObjectNode price = json.createObjectNode().put("id", "price_" + key).put("object", "price").put("currency", "eur")
                    .put("unit_amount", 990).put("lookup_key", key).put("active", true).put("type", "recurring")
                    .put("product", "billing_" + key.substring(0, key.indexOf('_'))).put("billing_scheme", "per_unit")
                    .put("created", 1_700_000_000L).put("livemode", false);
            price.putObject("recurring").put("interval", key.endsWith("monthly") ? "month" : "year").put("interval_count", 1)
                    .put("usage_type", "licensed");
            price.putObject("metadata");
            fake.put("price", price);
        }
        long now = System.currentTimeMillis() / 1000;
        long span = 2 * 365 * 86400L;
        int imported = Math.min(5_000, n / 20);
        long importSecond = now - span / 3;
        String customer = null;
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                // every 50th customer has no account: sync keeps its subscriptions unlinked
                customer = fake.newCustomer(i % 100 == 0 ? null : "acct_" + i).get("id").asText();
            }
            fake.pinClock(i < imported ? importSecond : now - span + (span * i) / n);
            fake.newSubscription(customer, i % 3 == 0 ? "price_business_yearly" : "price_pro_monthly", i % 7 == 0 ? "canceled" : "active",
                    now - 5 * 86400, now + 25 * 86400, Map.of());
        }
        fake.pinClock(null);
        java.time.Duration seeded = ProcessHandle.current().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
        System.out.println(fake.url());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the bench closes our stdin
        }
        if (!fake.violations().isEmpty()) {
            System.err.println("requests Stripe would reject, answers Stripe would not send: " + fake.violations());
            System.exit(1);
        }
        long lists = fake.count("GET", "/v1/subscriptions");
        System.err.println("stand-in: " + fake.requests().size() + " requests and answers (" + lists + " lists of subscriptions, "
                + fake.rateLimitedCount() + " answered 429), all valid against Stripe's API description (" + (validated == 1 ? "every answer" : "1 answer in " + validated + " checked") + "); its CPU while serving "
                + String.format(java.util.Locale.ROOT, "%.1f s",
                        (ProcessHandle.current().info().totalCpuDuration().orElse(seeded).minus(seeded)).toMillis() / 1000.0));
        fake.close();
    }
}
