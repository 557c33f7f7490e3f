package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.webhook.EventProcessor;
import dev.billingcli.webhook.TestEvents;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@code billing prices migrate} against the validating stand-in: pro monthly goes from 9.90 to 12.90 EUR in plans.yaml,
 * {@code stripe:setup} archives the old price, and the migration moves its subscribers, exactly once each.
 */
class PriceMigrationTest extends PriceMigrationTestBase {
    @Test
    void movesEveryRunningSubscriptionAtTheRenewalWithExactRequestsAuditedThroughTheLedger() throws Exception {
        ObjectNode acme = on("acme", "pro_monthly", "active");
        ((ObjectNode) acme.at("/items/data/0")).put("quantity", 2); // a seat count the move keeps
        ObjectNode beta = on("beta", "pro_monthly", "trialing");
        ObjectNode gone = on("gone", "pro_monthly", "canceled");
        ObjectNode other = on("other", "business_monthly", "active");
        String current = raisePrice();

        CliRunner.Result r = cli.run("prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--reason", "pro is 12.90 from January");
        assertThat(r.code()).as(r.toString()).isZero();

        List<FakeStripe.Request> requests = fake.requests();
        assertThat(requests).extracting(q -> q.method() + " " + q.path()).containsExactlyInAnyOrder("GET /v1/prices", "GET /v1/prices",
                "GET /v1/subscriptions", "POST /v1/subscriptions/" + acme.get("id").asText(), "POST /v1/subscriptions/" + beta.get("id").asText());
        assertThat(requests.get(0).params()).isEqualTo(Map.of("lookup_keys", List.of("pro_monthly"), "expand", List.of("data.product", "data.currency_options"), "limit", "100"));
        assertThat(requests.get(1).params()).isEqualTo(Map.of("product", fake.price(current).get("product").asText(), "active", "false", "limit", "100"));
        assertThat(requests.get(2).params()).isEqualTo(Map.of("price", oldPrice, "status", "all", "limit", "100"));
        String runId = json(cli.run("-o", "json", "audit")).get("entries").get(0).get("after").get("migration_run").asText();
        for (ObjectNode sub : List.of(acme, beta)) {
            String id = sub.get("id").asText();
            FakeStripe.Request update = requests.stream().filter(q -> q.path().equals("/v1/subscriptions/" + id)).findFirst().orElseThrow();
            assertThat(update.params()).isEqualTo(Map.of("items", List.of(Map.of("id", sub.at("/items/data/0/id").asText(), "price", current,
                    "quantity", sub == acme ? "2" : "1")), "proration_behavior", "none"));
            assertThat(update.idempotencyKey()).isEqualTo("billing-migrate-" + runId + "-" + id);
            assertThat(fake.subscription(id).at("/items/data/0/price/id").asText()).isEqualTo(current);
            assertThat(stored(id).subscription().priceId()).isEqualTo(current);
            assertThat(stored(id).subscription().priceLookupKey()).isEqualTo("pro_monthly");
        }
        assertThat(fake.subscription(acme.get("id").asText()).at("/items/data/0/quantity").asInt()).isEqualTo(2);
        assertThat(fake.subscription(gone.get("id").asText()).at("/items/data/0/price/id").asText()).isEqualTo(oldPrice);
        assertThat(fake.subscription(other.get("id").asText()).at("/items/data/0/price/id").asText()).isEqualTo(priceId("business_monthly"));

        String periodEnd = java.time.Instant.ofEpochSecond(now + 29 * 86400).toString();
        assertThat(r.out()).startsWith("pro monthly: 2 running subscription(s) on 1 archived price(s) (" + oldPrice + " 9.90 EUR) → " + current
                + " 12.90 EUR, at the renewal (POST /v1/subscriptions/ID {items[0][id]=ITEM, items[0][price]=" + current
                + ", items[0][quantity]=QUANTITY, proration_behavior=none})\n");
        assertThat(r.out()).contains(acme.get("id").asText() + " (acme)  19.80 EUR → 25.80 EUR (× 2)  from " + periodEnd + "  moved\n")
                .contains(beta.get("id").asText() + " (beta)  9.90 EUR → 12.90 EUR  from " + periodEnd + "  moved\n")
                .contains("moved 2 subscription(s) to " + current + " 12.90 EUR, 0 skipped, 0 failed; run " + runId + " moved 2 in all (1 list "
                        + "request(s), ");

        JsonNode audit = json(cli.run("-o", "json", "audit", "--account", "acme")).get("entries");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).get("command").asText()).isEqualTo("prices migrate");
        assertThat(audit.get(0).get("reason").asText()).isEqualTo("pro is 12.90 from January");
        assertThat(audit.get(0).get("before").get("price_id").asText()).isEqualTo(oldPrice);
        assertThat(audit.get(0).get("before").get("unit_amount").asLong()).isEqualTo(990);
        assertThat(audit.get(0).get("after").get("price_id").asText()).isEqualTo(current);
        assertThat(audit.get(0).get("after").get("unit_amount").asLong()).isEqualTo(1290);
        assertThat(audit.get(0).get("after").get("price").asText()).isEqualTo("pro_monthly");
        assertThat(audit.get(0).get("after").get("takes_effect").asText()).isEqualTo("at the renewal");

        // a second run finds nobody left on the old price, and sends no write
        fake.clearRequests();
        CliRunner.Result again = cli.run("-o", "json", "prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--reason", "again");
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(json(again).get("found").asInt()).isZero();
        assertThat(json(again).get("moved").asInt()).isZero();
        assertThat(fake.writes()).isEmpty();
    }

    @Test
    void nowProratesWithStripesDefaultCreateProrations() {
        ObjectNode acme = on("acme", "pro_monthly", "active");
        String current = raisePrice();
        CliRunner.Result r = cli.run("-o", "json", "prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--at", "now", "--reason", "now");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(updates()).hasSize(1);
        assertThat(updates().get(0).params()).isEqualTo(Map.of("items", List.of(Map.of("id", acme.at("/items/data/0/id").asText(), "price", current,
                "quantity", "1")), "proration_behavior", "create_prorations"));
        JsonNode out = json(r);
        assertThat(out.get("at").asText()).isEqualTo("now");
        assertThat(out.get("prorationBehavior").asText()).isEqualTo("create_prorations");
        assertThat(out.get("subscriptions").get(0).get("outcome").asText()).isEqualTo("moved");
    }

    @Test
    void aDryRunShowsEachSubscriptionAndSendsNoWrite() throws Exception {
        ObjectNode acme = on("acme", "pro_monthly", "active");
        String current = raisePrice();
        SubscriptionStore.Stored before = stored(acme.get("id").asText());
        CliRunner.Result r = cli.run("prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--dry-run");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(fake.writes()).isEmpty();
        assertThat(r.out()).contains(acme.get("id").asText() + " (acme)  9.90 EUR → 12.90 EUR  from ").contains("  would move\n")
                .contains("dry run: would move 1 subscription(s) to " + current + ", 0 skipped; nothing sent");
        assertThat(stored(acme.get("id").asText())).isEqualTo(before);
        assertThat(json(cli.run("-o", "json", "audit")).get("entries")).isEmpty();
        // and no run was started: a real one needs no --resume
        assertThat(cli.run("prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--resume", "--reason", "x").code()).isEqualTo(1);
    }

    @Test
    void aLiveKeyWithoutLiveIsRefusedBeforeAnyRequest() {
        on("acme", "pro_monthly", "active");
        raisePrice();
        CliRunner.Result r = cli.env("STRIPE_SECRET_KEY", "sk_live_FAKE_migrate").run("prices", "migrate", "--plan", "pro", "--cycle", "monthly",
                "--reason", "x");
        assertThat(r.code()).isEqualTo(4);
        assertThat(r.err()).isEqualTo("billing: refusing to write to Stripe with a live key (sk_live_…rate) without --live\n");
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void aSubscriptionThatChangedSinceTheListIsSkippedAndReported() throws Exception {
        ObjectNode acme = on("acme", "pro_monthly", "active");
        ObjectNode beta = on("beta", "pro_monthly", "active");
        String current = raisePrice();
        // beta's webhook arrived: its row holds a state newer than any list this run will read
        ObjectNode changed = fake.subscription(beta.get("id").asText()).deepCopy();
        changed.put("cancel_at_period_end", true);
        new EventProcessor(db, TestEvents.catalog(), null).process(TestEvents.parse(TestEvents.event("evt_beta_later",
                "customer.subscription.updated", now + 600, changed)));

        CliRunner.Result r = cli.run("-o", "json", "prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--reason", "x");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode out = json(r);
        assertThat(out.get("moved").asInt()).isEqualTo(1);
        assertThat(out.get("skipped").asInt()).isEqualTo(1);
        JsonNode skipped = null;
        for (JsonNode s : out.get("subscriptions")) {
            if (s.get("outcome").asText().equals("skipped")) {
                skipped = s;
            }
        }
        assertThat(skipped.get("subscription").asText()).isEqualTo(beta.get("id").asText());
        assertThat(skipped.get("note").asText()).startsWith("changed since the list: the database holds evt_beta_later of ");
        assertThat(updates()).extracting(FakeStripe.Request::path).containsExactly("/v1/subscriptions/" + acme.get("id").asText());
        assertThat(fake.subscription(beta.get("id").asText()).at("/items/data/0/price/id").asText()).isEqualTo(oldPrice);
        assertThat(fake.subscription(acme.get("id").asText()).at("/items/data/0/price/id").asText()).isEqualTo(current);
    }

    @Test
    void theWebhookThatFollowsAMoveChangesNothing() throws Exception {
        ObjectNode acme = on("acme", "pro_monthly", "active");
        String id = acme.get("id").asText();
        ObjectNode before = fake.subscription(id).deepCopy();
        raisePrice();
        assertThat(cli.run("prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--reason", "x").code()).isZero();
        SubscriptionStore.Stored moved = stored(id);
        ObjectNode previous = JSON.createObjectNode();
        previous.set("items", before.get("items"));
        new EventProcessor(db, TestEvents.catalog(), null).process(TestEvents.parse(TestEvents.event("evt_moved_1",
                "customer.subscription.updated", moved.lastEventCreated().getEpochSecond(), fake.subscription(id), previous)));
        assertThat(stored(id).subscription()).isEqualTo(moved.subscription());
        assertThat(json(cli.run("-o", "json", "audit", "--account", "acme")).get("entries")).hasSize(1);
    }

    @Test
    void badInputIsOneLineAndSendsNothing() {
        on("acme", "pro_monthly", "active");
        raisePrice();
        Function<String[], CliRunner.Result> run = args -> cli.run(args);
        CliRunner.Result plan = run.apply(new String[] {"prices", "migrate", "--plan", "gold", "--cycle", "monthly", "--reason", "x"});
        assertThat(plan.code()).isEqualTo(2);
        assertThat(plan.err()).isEqualTo("billing: unknown plan gold (plans with prices: pro, business, credits_pack)\n");
        CliRunner.Result from = run.apply(new String[] {"prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--from", "price_nope",
                "--reason", "x"});
        assertThat(from.code()).isEqualTo(2);
        assertThat(from.err()).isEqualTo("billing: --from price_nope is not an archived price of pro monthly managed by billing (those are: "
                + oldPrice + ")\n");
        CliRunner.Result reason = run.apply(new String[] {"prices", "migrate", "--plan", "pro", "--cycle", "monthly"});
        assertThat(reason.code()).isEqualTo(2);
        assertThat(reason.err()).isEqualTo("billing: --reason is required for a write (it goes to the audit log); --dry-run needs none\n");
        CliRunner.Result at = run.apply(new String[] {"prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--at", "soon", "--reason", "x"});
        assertThat(at.code()).isEqualTo(2);
        assertThat(at.err()).isEqualTo("billing: --at must be renewal or now, got soon\n");
        CliRunner.Result resume = run.apply(new String[] {"prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--resume", "--reason", "x"});
        assertThat(resume.code()).isEqualTo(1);
        assertThat(resume.err()).isEqualTo("billing: no interrupted 'prices migrate' run of pro monthly to resume (every run went through its list)\n");
        assertThat(fake.writes()).isEmpty();
        assertThat(List.of(plan, from, reason, at, resume)).allSatisfy(r -> assertThat(r.err()).doesNotContain("null").doesNotContain("Exception"));
    }

    @Test
    void stripeSetupPointsAtTheMigrationForTheSubscribersLeftOnAnArchivedPrice() throws Exception {
        on("acme", "pro_monthly", "active");
        Files.writeString(dir.resolve("plans.yaml"), Files.readString(dir.resolve("plans.yaml")).replace("monthly: \"9.90\"", "monthly: \"12.90\""));
        CliRunner.Result setup = cli.run("stripe:setup");
        assertThat(setup.code()).as(setup.toString()).isZero();
        assertThat(setup.out()).contains("archived price " + oldPrice + "; 1 subscription stays on it: 'billing prices migrate --plan pro --cycle "
                + "monthly --from " + oldPrice + " --dry-run' shows the move");
    }
}
