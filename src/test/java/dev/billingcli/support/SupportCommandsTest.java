package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.store.AccountStore;
import dev.billingcli.subscription.Subscription;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** checkout, portal, status, cancel, reactivate through the command line: the stand-in for Stripe, a real database. */
class SupportCommandsTest extends SupportTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void actor() {
        cli.env("BILLING_ACTOR", "sam@support");
    }

    /** An account with a customer and a subscription, in Stripe and in the database, as after checkout and its webhooks. */
    private ObjectNode subscribed(String account, String status) {
        return seedSubscription(account, "pro_monthly", status, now - 10 * 86400, now + 20 * 86400, Map.of("account_id", account), s -> {});
    }

    private Subscription row(String id) {
        return db.read(tx -> tx.subscriptions().find(id).orElseThrow().subscription());
    }

    private JsonNode audit(String account) throws Exception {
        return JSON.readTree(cli.run("-o", "json", "audit", "--account", account).out()).get("entries");
    }

    // ------------------------------------------------------------------ checkout

    @Test
    void hostedCheckoutCreatesTheCustomerOnceAndCarriesAccountPlanAndTrial() throws Exception {
        CliRunner.Result r = cli.run("checkout", "--account", "acme", "--plan", "pro", "--email", "billing@acme.test");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("https://checkout.stripe.com/", "14-day trial", "(new)");

        assertThat(fake.customers()).hasSize(1);
        ObjectNode customer = fake.customers().get(0);
        assertThat(customer.at("/metadata/account_id").asText()).isEqualTo("acme");
        assertThat(customer.get("email").asText()).isEqualTo("billing@acme.test");
        FakeStripe.Request session = fake.writes().stream().filter(w -> w.path().equals("/v1/checkout/sessions")).findFirst().orElseThrow();
        assertThat(session.params()).containsEntry("mode", "subscription").containsEntry("ui_mode", "hosted_page")
                .containsEntry("client_reference_id", "acme").containsEntry("customer", customer.get("id").asText())
                .containsEntry("success_url", "http://localhost:3000/billing/success?session_id={CHECKOUT_SESSION_ID}")
                .containsEntry("metadata", Map.of("account_id", "acme", "billing_plan", "pro", "billing_cycle", "monthly"))
                .containsEntry("subscription_data", Map.of("trial_period_days", "14",
                        "metadata", Map.of("account_id", "acme", "billing_plan", "pro", "billing_cycle", "monthly")))
                .containsEntry("line_items", List.of(Map.of("price", priceId("pro_monthly"), "quantity", "1")));
        Optional<String> linked = db.read(tx -> tx.accounts().customerOf("acme"));
        assertThat(linked).contains(customer.get("id").asText());

        CliRunner.Result yearly = cli.run("-o", "json", "checkout", "--account", "acme", "--plan", "pro", "--cycle", "yearly",
                "--trial-days", "0", "--quantity", "3", "--promo-codes");
        assertThat(yearly.code()).as(yearly.toString()).isZero();
        JsonNode j = JSON.readTree(yearly.out());
        assertThat(j.get("customerCreated").asBoolean()).isFalse();
        assertThat(j.get("price").asText()).isEqualTo(priceId("pro_yearly"));
        assertThat(fake.customers()).hasSize(1);
        FakeStripe.Request second = fake.writes().get(fake.writes().size() - 1);
        assertThat(second.params()).doesNotContainKey("subscription_data.trial_period_days").containsEntry("allow_promotion_codes", "true");
        @SuppressWarnings("unchecked")
        Map<String, Object> subscriptionData = (Map<String, Object>) second.params().get("subscription_data");
        assertThat(subscriptionData).doesNotContainKey("trial_period_days");

        assertThat(audit("acme")).extracting(e -> e.get("command").asText()).containsExactly("checkout", "checkout", "checkout");
        assertThat(fake.writes()).allSatisfy(w -> assertThat(w.idempotencyKey()).startsWith("billing-"));
    }

    @Test
    void embeddedCheckoutPrintsTheClientSecretAndOneTimePricesUsePaymentMode() throws Exception {
        CliRunner.Result embedded = cli.run("checkout", "--account", "acme", "--plan", "business", "--ui", "embedded");
        assertThat(embedded.code()).as(embedded.toString()).isZero();
        assertThat(embedded.out()).contains("client secret: cs_test");
        assertThat(fake.writes().get(fake.writes().size() - 1).params()).containsEntry("ui_mode", "embedded_page")
                .containsEntry("return_url", "http://localhost:3000/billing/return?session_id={CHECKOUT_SESSION_ID}")
                .doesNotContainKey("success_url");

        CliRunner.Result pack = cli.run("-o", "json", "checkout", "--account", "acme", "--plan", "credits_pack");
        assertThat(pack.code()).as(pack.toString()).isZero();
        assertThat(JSON.readTree(pack.out()).get("mode").asText()).isEqualTo("payment");
        Map<String, Object> params = fake.writes().get(fake.writes().size() - 1).params();
        assertThat(params).containsEntry("mode", "payment").doesNotContainKey("subscription_data")
                .containsEntry("payment_intent_data", Map.of("metadata", Map.of("account_id", "acme", "billing_plan", "credits_pack",
                        "billing_cycle", "once")));
    }

    @Test
    void aSecondSubscriptionIsRefusedUnlessAllowedAndBadPlansSendNothing() {
        String subId = subscribed("acme", "active").get("id").asText();
        CliRunner.Result refused = cli.run("checkout", "--account", "acme", "--plan", "business");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err().lines()).containsExactly("billing: acme already has an active subscription " + subId
                + " (pro): change it with 'billing portal --account acme --flow update', or pass --allow-second");
        assertThat(fake.requests()).isEmpty();
        // a one-time purchase is not a second subscription
        assertThat(cli.run("checkout", "--account", "acme", "--plan", "credits_pack").code()).isZero();
        assertThat(cli.run("checkout", "--account", "acme", "--plan", "business", "--allow-second").code()).isZero();
        fake.clearRequests();

        CliRunner.Result unknown = cli.run("checkout", "--account", "globex", "--plan", "platinum");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown plan platinum", "pro, business, credits_pack");
        CliRunner.Result enterprise = cli.run("checkout", "--account", "globex", "--plan", "enterprise");
        assertThat(enterprise.code()).isEqualTo(2);
        assertThat(enterprise.err()).contains("contact sales@example.com");
        CliRunner.Result noCycle = cli.run("checkout", "--account", "globex", "--plan", "pro", "--cycle", "once");
        assertThat(noCycle.code()).isEqualTo(2);
        assertThat(noCycle.err()).contains("no once price (it has: monthly, yearly)");
        assertThat(fake.requests()).isEmpty();
    }

    // ------------------------------------------------------------------ portal

    @Test
    void portalSessionsForEachFlow() {
        String sub = subscribed("acme", "active").get("id").asText();
        assertThat(cli.run("portal", "--account", "acme").out()).startsWith("https://billing.stripe.com/");
        assertThat(cli.run("portal", "--account", "acme", "--flow", "cancel").code()).isZero();
        assertThat(cli.run("portal", "--account", "acme", "--flow", "update").code()).isZero();
        assertThat(cli.run("portal", "--account", "acme", "--flow", "payment-method", "--return-url", "https://app.test/x").code()).isZero();
        List<ObjectNode> sessions = fake.portalSessions();
        assertThat(sessions).hasSize(4);
        assertThat(sessions.get(0).get("return_url").asText()).isEqualTo("http://localhost:3000/account");
        assertThat(sessions.get(0).has("flow")).isFalse();
        assertThat(sessions.get(1).at("/flow/type").asText()).isEqualTo("subscription_cancel");
        assertThat(sessions.get(1).at("/flow/subscription_cancel/subscription").asText()).isEqualTo(sub);
        assertThat(sessions.get(2).at("/flow/type").asText()).isEqualTo("subscription_update");
        assertThat(sessions.get(3).at("/flow/type").asText()).isEqualTo("payment_method_update");
        assertThat(sessions.get(3).get("return_url").asText()).isEqualTo("https://app.test/x");
        // every session names the configuration stripe:setup manages: a fresh account has no Dashboard
        // default, and a default would ignore plans.yaml's portal: block
        String managed = fake.portalConfigurations().get(0).get("id").asText();
        assertThat(fake.requests().stream().filter(r -> r.method().equals("POST") && r.path().equals("/v1/billing_portal/sessions"))
                .map(r -> r.params().get("configuration"))).hasSize(4).containsOnly(managed);

        CliRunner.Result none = cli.run("portal", "--account", "nobody");
        assertThat(none.code()).isEqualTo(2); // README: an unknown account is invalid input, in every command
        assertThat(cli.run("portal", "--account", "acme", "--flow", "refund").code()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ reactivate: four cases

    @Test
    void reactivateUndoesACancellationAtThePeriodEndWithOnlyThatFlag() throws Exception {
        ObjectNode sub = subscribed("acme", "active");
        String id = sub.get("id").asText();
        assertThat(cli.run("cancel", "--account", "acme", "--reason", "too expensive").code()).isZero();
        assertThat(fake.subscription(id).get("cancel_at_period_end").asBoolean()).isTrue();
        assertThat(fake.subscription(id).get("cancel_at").isNull()).isFalse(); // Basil and later show the date too
        assertThat(row(id).cancelAtPeriodEnd()).isTrue();
        fake.clearRequests();

        CliRunner.Result r = cli.run("reactivate", "--account", "acme", "--reason", "asked by phone");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("reactivated " + id, "the cancellation at the period end");
        assertThat(fake.writes()).hasSize(1);
        assertThat(fake.writes().get(0).path()).isEqualTo("/v1/subscriptions/" + id);
        assertThat(fake.writes().get(0).params()).isEqualTo(Map.of("cancel_at_period_end", "false"));
        assertThat(row(id).cancelAtPeriodEnd()).isFalse();
        assertThat(row(id).cancelAt()).isNull();
        JsonNode entries = audit("acme");
        assertThat(entries.get(0).get("command").asText()).isEqualTo("reactivate");
        assertThat(entries.get(0).get("reason").asText()).isEqualTo("asked by phone");
        assertThat(entries.get(0).at("/before/cancel_at_period_end").asBoolean()).isTrue();
        assertThat(entries.get(0).at("/after/cancel_at_period_end").asBoolean()).isFalse();
        assertThat(entries.get(0).get("actor").asText()).isEqualTo("sam@support");
    }

    @Test
    void reactivateClearsAnExplicitCancellationDate() {
        String id = subscribed("acme", "active").get("id").asText();
        CliRunner.Result at = cli.run("cancel", "--account", "acme", "--at", Instant.ofEpochSecond(now + 5 * 86400).toString(), "--reason", "end of contract");
        assertThat(at.code()).as(at.toString()).isZero();
        assertThat(fake.writes().get(0).params()).isEqualTo(Map.of("cancel_at", String.valueOf(now + 5 * 86400)));
        assertThat(row(id).cancelAt()).isEqualTo(Instant.ofEpochSecond(now + 5 * 86400));
        fake.clearRequests();

        CliRunner.Result r = cli.run("reactivate", "--account", "acme", "--reason", "stays after all");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(fake.writes()).hasSize(1);
        assertThat(fake.writes().get(0).params()).isEqualTo(Map.of("cancel_at", ""));
        assertThat(row(id).cancelAt()).isNull();
        assertThat(row(id).status()).isEqualTo("active");
    }

    @Test
    void reactivateAnEndedSubscriptionIsExit1AndSendsNoWrite() {
        String id = subscribed("acme", "active").get("id").asText();
        assertThat(cli.run("cancel", "--account", "acme", "--now", "--reason", "fraud").code()).isZero();
        assertThat(fake.writes().get(0).method()).isEqualTo("DELETE");
        assertThat(row(id).status()).isEqualTo("canceled");
        fake.clearRequests();

        CliRunner.Result r = cli.run("reactivate", "--account", "acme", "--reason", "asked by phone");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains(id + " ended on ", "start a new checkout");
        assertThat(fake.writes()).isEmpty();
    }

    @Test
    void reactivateWithNothingScheduledIsExit0AndSendsNoWrite() throws Exception {
        subscribed("acme", "active");
        CliRunner.Result r = cli.run("reactivate", "--account", "acme", "--reason", "asked by phone");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("nothing to reactivate");
        assertThat(fake.writes()).isEmpty();
        assertThat(audit("acme")).isEmpty();
    }

    // ------------------------------------------------------------------ cancel, status

    @Test
    void cancelRefusesALiveKeyWithoutLiveAndUnknownAccounts() {
        subscribed("acme", "active");
        CliRunner.Result live = cli.env("STRIPE_SECRET_KEY", "sk_live_FAKE_support77").run("cancel", "--account", "acme", "--reason", "asked");
        assertThat(live.code()).as(live.toString()).isEqualTo(4);
        assertThat(fake.requests()).isEmpty();
        cli.env("STRIPE_SECRET_KEY", "sk_test_FAKE_support77");
        assertThat(cli.run("cancel", "--account", "nobody", "--reason", "asked").code()).isEqualTo(2);
        assertThat(cli.run("cancel", "--account", "acme", "--now", "--at", "2030-01-01", "--reason", "asked").code()).isEqualTo(2);
        assertThat(cli.run("cancel", "--account", "acme", "--at", "2001-01-01", "--reason", "asked").code()).isEqualTo(2);
        assertThat(fake.writes()).isEmpty();
    }

    @Test
    void cancelWithoutAReasonIsRefusedAndItsDryRunShowsEachRequestAndItsCostAndSendsNothing() throws Exception {
        String id = subscribed("acme", "active").get("id").asText();
        CliRunner.Result noReason = cli.run("cancel", "--account", "acme");
        assertThat(noReason.code()).isEqualTo(2);
        assertThat(noReason.err()).isEqualTo("billing: --reason is required for a write (it goes to the audit log); --dry-run needs none\n");

        CliRunner.Result end = cli.run("cancel", "--account", "acme", "--dry-run");
        assertThat(end.code()).as(end.toString()).isZero();
        assertThat(end.out()).startsWith("dry run: would cancel " + id + " at the period end, " + Instant.ofEpochSecond(now + 20 * 86400))
                .contains("  POST /v1/subscriptions/" + id + " {cancel_at_period_end=true}",
                        "  cost: no charge, no refund; access until the period end (" + Instant.ofEpochSecond(now + 20 * 86400) + "), then the free plan");
        Instant inside = Instant.ofEpochSecond(now + 5 * 86400);
        CliRunner.Result at = cli.run("cancel", "--account", "acme", "--at", inside.toString(), "--dry-run");
        assertThat(at.out()).contains("  POST /v1/subscriptions/" + id + " {cancel_at=" + inside.getEpochSecond() + "}",
                "Stripe credits the time after " + inside);
        CliRunner.Result nowJson = cli.run("-o", "json", "cancel", "--account", "acme", "--now", "--dry-run", "--reason", "fraud");
        JsonNode j = JSON.readTree(nowJson.out());
        assertThat(j.get("sent").asBoolean()).isFalse();
        assertThat(j.get("changed").asBoolean()).isFalse();
        assertThat(j.at("/request/method").asText()).isEqualTo("DELETE");
        assertThat(j.at("/request/fields/cancellation_details[comment]").asText()).isEqualTo("fraud");
        assertThat(j.at("/request/cost").asText()).contains("no refund");

        assertThat(fake.writes()).isEmpty();
        assertThat(row(id).cancelAtPeriodEnd()).isFalse();
        assertThat(row(id).status()).isEqualTo("active");
        assertThat(audit("acme")).isEmpty();

        // what the dry run showed is what goes out
        assertThat(cli.run("cancel", "--account", "acme", "--now", "--reason", "fraud").code()).isZero();
        assertThat(fake.writes()).hasSize(1);
        assertThat(fake.writes().get(0).method()).isEqualTo("DELETE");
        // the form field cancellation_details[comment]=fraud, as the stand-in parses it
        assertThat(fake.writes().get(0).params()).isEqualTo(Map.of("cancellation_details", Map.of("comment", "fraud")));
    }

    @Test
    void reactivateDryRunReadsStripeAndShowsTheOneFieldItWouldClear() throws Exception {
        String id = subscribed("acme", "active").get("id").asText();
        assertThat(cli.run("cancel", "--account", "acme", "--reason", "too expensive").code()).isZero();
        fake.clearRequests();

        CliRunner.Result r = cli.run("reactivate", "--account", "acme", "--dry-run");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("dry run: would undo the cancellation at the period end of " + id + "; nothing sent")
                .contains("  POST /v1/subscriptions/" + id + " {cancel_at_period_end=false}", "  cost: no charge now; it renews on ");
        assertThat(fake.writes()).isEmpty();
        assertThat(row(id).cancelAtPeriodEnd()).isTrue();
        assertThat(audit("acme")).hasSize(1); // the cancel only
    }

    @Test
    void statusShowsOneAccountAndTheDifferencesWithStripe() throws Exception {
        ObjectNode sub = subscribed("acme", "active");
        CliRunner.Result table = cli.run("status", "--account", "acme");
        assertThat(table.code()).as(table.toString()).isZero();
        assertThat(table.out()).contains("Account   acme", "Pro (pro) · active · monthly × 1", "Access    Pro (pro) — active",
                "Cancel    none", "Limits    projects: unlimited, seats: 1", "Credits   0");
        assertThat(fake.requests()).isEmpty(); // without --stripe, the database only

        // Stripe moved on and the webhook was missed
        sub.put("status", "past_due");
        sub.put("cancel_at_period_end", true);
        CliRunner.Result diff = cli.run("status", "--account", "acme", "--stripe");
        assertThat(diff.code()).as(diff.toString()).isZero();
        assertThat(diff.out()).contains("2 difference(s)", "status: active → past_due", "cancel_at_period_end: false → true");

        JsonNode json = JSON.readTree(cli.run("-o", "json", "status", "--account", "acme", "--stripe").out());
        assertThat(json.get("tier").asText()).isEqualTo("pro");
        assertThat(json.get("effectiveTier").asText()).isEqualTo("pro");
        assertThat(json.get("status").asText()).isEqualTo("active");
        assertThat(json.get("hasStripeSubscription").asBoolean()).isTrue();
        assertThat(json.get("cancelAtPeriodEnd").asBoolean()).isFalse();
        assertThat(json.get("currentPeriodEnd").asText()).isEqualTo(Instant.ofEpochSecond(now + 20 * 86400).toString());
        assertThat(json.get("stripeDifferences")).hasSize(2);
        assertThat(json.at("/limits/seats").asLong()).isEqualTo(1);

        CliRunner.Result unknown = cli.run("status", "--account", "nobody");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("billing: unknown account nobody (accounts come from checkout, webhooks or sync:"
                + " 'billing sync --account nobody' looks it up in Stripe)\n");
    }

    @Test
    void statusExplainsAccessKeptByTheGracePeriodAndAScheduledCancellation() {
        String customer = fake.newCustomer("acme").get("id").asText();
        ObjectNode sub = fake.newSubscription(customer, priceId("business_monthly"), "past_due", now - 31 * 86400, now - 86400,
                Map.of("account_id", "acme"));
        db.useTransaction(tx -> {
            tx.accounts().linkCustomer("acme", customer);
            tx.subscriptions().insertIfAbsent(Subscription.fromStripe(sub, k -> Optional.of("business")).withAccount("acme"),
                    Instant.ofEpochSecond(now - 86400), "evt_seed");
        });
        CliRunner.Result r = cli.run("status", "--account", "acme");
        assertThat(r.out()).contains("Business (business) — past_due, grace period, access kept until")
                .contains("by the 3-day grace");
    }

    @Test
    void anOlderRunningSubscriptionIsTheCurrentOneWhenANewerOneEnded() {
        ObjectNode running = subscribed("acme", "active");
        String customer = running.get("customer").asText();
        ObjectNode ended = fake.newSubscription(customer, priceId("business_monthly"), "canceled", now - 86400, now + 29 * 86400,
                Map.of("account_id", "acme"));
        db.useTransaction(tx -> tx.subscriptions().insertIfAbsent(
                Subscription.fromStripe(ended, k -> Optional.of("business")).withAccount("acme"), Instant.ofEpochSecond(now), "evt_2"));
        assertThat(cli.run("status", "--account", "acme").out()).contains(running.get("id").asText()).contains("Pro (pro) · active");
        assertThat(cli.run("checkout", "--account", "acme", "--plan", "business").code()).isEqualTo(2);
        assertThat(cli.run("cancel", "--account", "acme", "--reason", "asked").code()).isZero();
        assertThat(fake.writes().get(0).path()).isEqualTo("/v1/subscriptions/" + running.get("id").asText());
    }
}
