// The Stripe stand-in of the tests (dev.billingcli.fakestripe.FakeStripe, validating every request
// and every answer against Stripe's OpenAPI description), seeded with N subscriptions for bench/sync.sh. Prints its URL,
// then serves until stdin closes. Not a test.
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.fakestripe.FakeStripe;
import java.util.Map;

public class SyncStandIn {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        FakeStripe fake = FakeStripe.start();
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
        String customer = null;
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                // every 50th customer has no account: sync keeps its subscriptions unlinked
                customer = fake.newCustomer(i % 100 == 0 ? null : "acct_" + i).get("id").asText();
            }
            fake.newSubscription(customer, i % 3 == 0 ? "price_business_yearly" : "price_pro_monthly", i % 7 == 0 ? "canceled" : "active",
                    now - 5 * 86400, now + 25 * 86400, Map.of());
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
        System.err.println("stand-in: " + fake.requests().size() + " requests and answers, all valid against Stripe's API description");
        fake.close();
    }
}
