package dev.billingcli.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.billingcli.CliRunner;
import dev.billingcli.TestPostgres;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.fakestripe.FakeStripeExtension;
import dev.billingcli.webhook.TestEvents;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every JSON-capable command, run for real, prints camelCase keys only, and exactly the keys the README's
 * "JSON output" table lists for it: the README and the code cannot drift apart silently.
 */
class JsonKeysTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CAMEL = Pattern.compile("[a-z][a-zA-Z0-9]*");
    /** Maps keyed by data (a limit name, a cycle, a lookup key): their keys are not field names; their values are walked. */
    private static final Set<String> DATA_MAPS = Set.of("limits", "prices", "priceIds", "fields", "currencyOptions");

    @RegisterExtension
    final FakeStripeExtension stripe = new FakeStripeExtension();

    @TempDir
    Path dir;

    /** Command (as the README names it) → the keys seen across its runs. */
    private final Map<String, Set<String>> seen = new LinkedHashMap<>();

    @Test
    void everyCommandPrintsCamelCaseKeysExactlyAsTheReadmeListsThem() throws Exception {
        FakeStripe fake = stripe.fake();
        CliRunner cli = CliRunner.withRepoPlans(dir).env("STRIPE_SECRET_KEY", "sk_test_FAKE_jsonkeys").env("STRIPE_API_BASE", fake.url())
                .env("DATABASE_URL", TestPostgres.newDatabaseUrl()).env("BILLING_ACTOR", "json-test");

        json("plans list", 0, cli, "plans", "list");
        json("plans validate", 0, cli, "plans", "validate");
        json("db migrate", 0, cli, "db", "migrate");
        json("db status", 0, cli, "db", "status");
        json("stripe:verify", 1, cli, "stripe:verify"); // before setup: every price differs
        json("stripe:setup", 0, cli, "stripe:setup", "--dry-run");
        json("stripe:setup", 0, cli, "stripe:setup");
        json("stripe:verify", 0, cli, "stripe:verify");
        json("stripe:webhook", 0, cli, "stripe:webhook", "--url", "https://app.test/webhook");
        json("doctor", 1, cli, "doctor"); // STRIPE_WEBHOOK_SECRET is not set yet

        // acme: a subscription made in Stripe, brought in by sync, then changed in Stripe
        ObjectNode customer = fake.newCustomer("acme");
        String price = fake.prices().stream().filter(p -> "pro_monthly".equals(p.path("lookup_key").asText(null))).findFirst()
                .orElseThrow().get("id").asText();
        long now = Instant.now().getEpochSecond();
        ObjectNode sub = fake.newSubscription(customer.get("id").asText(), price, "active", now - 86400, now + 29 * 86400, Map.of());
        json("sync", 0, cli, "sync", "--account", "acme");
        sub.put("status", "past_due");
        json("sync", 0, cli, "sync", "--all", "--dry-run");
        json("status", 0, cli, "status", "--account", "acme", "--stripe");
        json("portal", 0, cli, "portal", "--account", "acme");
        json("cancel, reactivate", 0, cli, "cancel", "--account", "acme", "--reason", "asked by email");
        json("cancel, reactivate", 0, cli, "reactivate", "--account", "acme", "--reason", "asked by phone");
        json("pause, resume", 0, cli, "pause", "--account", "acme", "--dry-run");
        json("pause, resume", 0, cli, "pause", "--account", "acme", "--until", "2099-01-31", "--reason", "on leave");
        json("pause, resume", 0, cli, "resume", "--account", "acme", "--reason", "back");
        json("change-plan", 0, cli, "change-plan", "--account", "acme", "--plan", "business", "--dry-run");
        json("change-plan", 0, cli, "change-plan", "--account", "acme", "--plan", "business", "--reason", "upgrade");
        json("change-plan", 0, cli, "change-plan", "--account", "acme", "--plan", "pro", "--at", "renewal", "--reason", "downgrade");
        json("status", 0, cli, "status", "--account", "acme");
        json("change-plan", 0, cli, "change-plan", "--account", "acme", "--cancel-scheduled", "--reason", "kept business");
        ObjectNode coupon = (ObjectNode) JSON.readTree("""
                {"id": "json10", "object": "coupon", "created": 1780000000, "livemode": false, "duration": "once", "amount_off": null,
                 "currency": null, "percent_off": 10, "duration_in_months": null, "max_redemptions": null, "metadata": {}, "name": null,
                 "redeem_by": null, "times_redeemed": 0, "valid": true}""");
        fake.put("coupon", coupon);
        json("discount apply, discount remove", 0, cli, "discount", "apply", "--account", "acme", "--coupon", "json10", "--dry-run");
        json("discount apply, discount remove", 0, cli, "discount", "apply", "--account", "acme", "--coupon", "json10", "--reason", "offer");
        json("discount apply, discount remove", 0, cli, "discount", "remove", "--account", "acme", "--reason", "offer ended");
        fake.newPaidInvoice(customer.get("id").asText(), sub.get("id").asText(), 990, "eur", now - 86400, now + 29 * 86400);
        json("refund", 0, cli, "refund", "--account", "acme", "--last", "--amount", "1.00", "--dry-run");
        json("refund", 0, cli, "refund", "--account", "acme", "--last", "--reason", "charged twice");
        json("status", 0, cli, "status", "--account", "acme"); // with the refund
        json("checkout", 0, cli, "checkout", "--account", "beta", "--plan", "pro", "--email", "billing@beta.test");

        // delta: a trial, brought in by sync
        ObjectNode deltaCustomer = fake.newCustomer("delta");
        fake.newSubscription(deltaCustomer.get("id").asText(), price, "trialing", now - 86400, now + 13 * 86400, Map.of());
        json("sync", 0, cli, "sync", "--account", "delta");
        json("trial extend", 0, cli, "trial", "extend", "--account", "delta", "--days", "7", "--dry-run");
        json("trial extend", 0, cli, "trial", "extend", "--account", "delta", "--days", "7", "--reason", "evaluating");

        // gamma: events through the local webhook pipeline, a licence
        cli.env("STRIPE_WEBHOOK_SECRET", "whsec_jsonkeys");
        json("webhook trigger --local", 0, cli, "webhook", "trigger", "checkout.session.completed", "--account", "gamma", "--plan", "pro",
                "--local");
        json("license grant", 0, cli, "license", "grant", "--account", "gamma", "--feature", "sso", "--until", "2099-12-31", "--reason", "pilot");
        json("license list", 0, cli, "license", "list", "--account", "gamma");
        json("status", 0, cli, "status", "--account", "gamma");
        json("license revoke", 0, cli, "license", "revoke", "--account", "gamma", "--feature", "sso", "--reason", "pilot over");
        json("audit", 0, cli, "audit");
        json("accounts list", 0, cli, "accounts", "list", "--limit", "1"); // acme, beta, gamma: a next page, an account without a subscription
        json("accounts list", 0, cli, "accounts", "list");
        json("report", 0, cli, "report");
        JsonNode events = json("events list", 0, cli, "events", "list", "--account", "gamma");
        String eventId = events.get(0).get("id").asText();
        json("events show", 0, cli, "events", "show", eventId);
        json("events replay", 0, cli, "events", "replay", eventId);
        ObjectNode fetched = TestEvents.subscription("sub_json1", "cus_json1", "business_monthly", "active");
        fake.put("event", (ObjectNode) JSON.readTree(TestEvents.event("evt_json1", "customer.subscription.created", now - 60, fetched)));
        json("events fetch", 0, cli, "events", "fetch", "--since", "1h");
        json("doctor", 0, cli, "doctor");

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/webhook", exchange -> {
            byte[] body = "{\"received\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            json("webhook trigger", 0, cli, "webhook", "trigger", "invoice.paid", "--account", "gamma", "--plan", "pro", "--url",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/webhook");
        } finally {
            server.stop(0);
        }

        // a new pro monthly price: delta's subscription stays on the archived one until prices migrate moves it
        cli.write("plans.yaml", Files.readString(cli.dir().resolve("plans.yaml")).replace("monthly: \"9.90\"", "monthly: \"12.90\""));
        assertThat(cli.run("stripe:setup").code()).isZero();
        json("prices migrate", 0, cli, "prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--dry-run");
        JsonNode migrated = json("prices migrate", 0, cli, "prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--reason", "new price");
        assertThat(migrated.get("moved").asInt()).isPositive();

        Map<String, Set<String>> documented = readme();
        List<String> notCamel = new ArrayList<>();
        seen.forEach((command, keys) -> keys.stream().filter(k -> !CAMEL.matcher(k).matches()).forEach(k -> notCamel.add(command + ": " + k)));
        assertThat(notCamel).as("keys that are not camelCase").isEmpty();
        assertThat(seen.keySet()).as("commands run here vs the README's JSON output table")
                .containsExactlyInAnyOrderElementsOf(documented.keySet());
        seen.forEach((command, keys) -> assertThat(keys).as("keys of %s (README vs output)", command)
                .containsExactlyInAnyOrderElementsOf(documented.get(command)));
    }

    /** Runs one command with {@code -o json}, checks its exit code and that stdout is one JSON document, and records its keys. */
    private JsonNode json(String command, int code, CliRunner cli, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-o", "json"));
        all.addAll(List.of(args));
        CliRunner.Result r = cli.run(all.toArray(String[]::new));
        assertThat(r.code()).as(String.join(" ", args) + "\n" + r).isEqualTo(code);
        JsonNode node = JSON.readTree(r.out());
        keys(command, node, seen.computeIfAbsent(command, c -> new TreeSet<>()));
        return node;
    }

    private static void keys(String command, JsonNode node, Set<String> into) {
        if (node.isArray()) {
            node.forEach(element -> keys(command, element, into));
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                into.add(e.getKey());
                boolean verbatim = e.getKey().equals("payload") || command.equals("audit") && Set.of("before", "after").contains(e.getKey());
                if (verbatim) {
                    continue;
                }
                if (DATA_MAPS.contains(e.getKey()) && e.getValue().isObject()) {
                    e.getValue().forEach(value -> keys(command, value, into));
                } else {
                    keys(command, e.getValue(), into);
                }
            }
        }
    }

    /** The README's "JSON output" table: command(s) → keys. */
    private static Map<String, Set<String>> readme() throws Exception {
        String text = Files.readString(Path.of("README.md"));
        int start = text.indexOf("## JSON output");
        assertThat(start).as("README has a JSON output section").isNotNegative();
        String section = text.substring(start, text.indexOf("\n## ", start + 1));
        Map<String, Set<String>> documented = new LinkedHashMap<>();
        Pattern row = Pattern.compile("^\\| (`[^|]+`) \\| (`[^|]+`) \\|$", Pattern.MULTILINE);
        Pattern code = Pattern.compile("`([^`]+)`");
        Matcher m = row.matcher(section);
        while (m.find()) {
            Set<String> keys = new TreeSet<>();
            Matcher k = code.matcher(m.group(2));
            while (k.find()) {
                keys.add(k.group(1));
            }
            documented.put(m.group(1).replace("`", ""), keys);
        }
        return documented;
    }
}
