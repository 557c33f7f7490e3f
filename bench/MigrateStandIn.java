// The Stripe stand-in of the tests (dev.billingcli.fakestripe.FakeStripe, validating every request and every answer
// against Stripe's OpenAPI description) for bench/migrate.sh: product billing_pro with an archived pro monthly price
// (7.90 EUR, managed by billing) and the current one (9.90 EUR, plans.yaml's, holding the lookup key), made through
// its own API as stripe:setup makes them, and N running subscriptions on the archived price (plus N/50 canceled ones,
// which the migration must leave alone). Prints its URL, then serves until stdin closes. Not a test.
// Usage: MigrateStandIn N [--latency MIN_MS-MAX_MS] [--rate-limit PER_SECOND]
//   --latency 300-300   every answer takes that long, as Stripe's take a few hundred milliseconds
//   --rate-limit 25     Stripe's rate limiter (test mode: 25 requests/s): over it, Stripe's 429
// At the end it prints the requests it answered, the 429s among them, and the price changes it applied: how many
// subscriptions moved, and how many moved more than once (must be 0).
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.fakestripe.FakeStripe;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

public class MigrateStandIn {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String post(HttpClient http, String base, String path, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer sk_test_FAKE_bench")
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).get("id").asText();
    }

    private static Map<String, String> price(long amount, boolean transfer) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("product", "billing_pro");
        f.put("currency", "eur");
        f.put("unit_amount", Long.toString(amount));
        f.put("recurring[interval]", "month");
        f.put("lookup_key", "pro_monthly");
        if (transfer) {
            f.put("transfer_lookup_key", "true");
        }
        f.put("metadata[managed_by]", "billing");
        f.put("metadata[billing_plan]", "pro");
        f.put("metadata[billing_cycle]", "monthly");
        return f;
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        FakeStripe fake = FakeStripe.start();
        HttpClient http = HttpClient.newHttpClient();
        post(http, fake.url(), "/v1/products", Map.of("id", "billing_pro", "name", "Pro", "metadata[managed_by]", "billing",
                "metadata[billing_plan]", "pro"));
        String old = post(http, fake.url(), "/v1/prices", price(790, false));
        post(http, fake.url(), "/v1/prices", price(990, true));
        post(http, fake.url(), "/v1/prices/" + old, Map.of("active", "false"));
        long now = System.currentTimeMillis() / 1000;
        for (int i = 0; i < n + n / 50; i++) {
            String account = "acct_" + i;
            String customer = fake.newCustomer(account).get("id").asText();
            long start = now - (i % 28) * 86400L;
            fake.newSubscription(customer, old, i >= n ? "canceled" : i % 10 == 0 ? "trialing" : "active", start, start + 30 * 86400L,
                    Map.of("account_id", account));
        }
        fake.clearRequests();
        for (int a = 1; a < args.length; a++) {
            switch (args[a]) {
                case "--latency" -> {
                    String[] range = args[++a].split("-");
                    fake.latency(Duration.ofMillis(Long.parseLong(range[0])), Duration.ofMillis(Long.parseLong(range[1])));
                }
                case "--rate-limit" -> fake.rateLimit(Integer.parseInt(args[++a]));
                default -> throw new IllegalArgumentException("unknown option " + args[a]);
            }
        }
        System.out.println(fake.url());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the bench closes our stdin
        }
        if (!fake.violations().isEmpty()) {
            System.err.println("requests Stripe would reject, answers Stripe would not send: " + fake.violations());
            System.exit(1);
        }
        Map<String, Long> moves = fake.priceChanges().stream().collect(Collectors.groupingBy(FakeStripe.PriceChange::subscriptionId,
                Collectors.counting()));
        System.err.println("stand-in: " + fake.requests().size() + " requests answered (" + fake.count("POST", "/v1/subscriptions/")
                + " subscription updates, " + fake.count("GET", "/v1/subscriptions") + " subscription lists, " + fake.rateLimitedCount()
                + " answered 429), " + moves.size() + " subscriptions moved, " + moves.values().stream().filter(c -> c > 1).count()
                + " of them more than once; all valid against Stripe's API description");
        fake.close();
    }
}
