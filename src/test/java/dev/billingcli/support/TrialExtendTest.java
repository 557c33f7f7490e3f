package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.subscription.Subscription;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code billing trial extend}: previewed, audited, guarded, written through the ledger from Stripe's answer. */
class TrialExtendTest extends SupportTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ObjectNode trialing(String account, long trialEnd) {
        return seedSubscription(account, "pro_monthly", "trialing", now - 86400, trialEnd, Map.of("account_id", account),
                s -> s.put("trial_start", now - 86400).put("trial_end", trialEnd));
    }

    @Test
    void extendsByDaysWithoutProrationsAndAuditsIt() throws Exception {
        long trialEnd = now + 3 * 86400;
        String id = trialing("acme", trialEnd).get("id").asText();
        long wanted = trialEnd + 7 * 86400;

        CliRunner.Result r = cli.run("trial", "extend", "--account", "acme", "--days", "7", "--reason", "needs time to evaluate");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("moved the trial end of " + id + " to " + Instant.ofEpochSecond(wanted) + "\n");
        assertThat(fake.writes()).hasSize(1);
        var sent = fake.writes().get(0);
        assertThat(sent.path()).isEqualTo("/v1/subscriptions/" + id);
        assertThat(sent.params()).containsExactlyInAnyOrderEntriesOf(Map.of("trial_end", Long.toString(wanted), "proration_behavior", "none"));
        assertThat(sent.idempotencyKey()).isNotBlank();
        assertThat(fake.subscription(id).get("trial_end").asLong()).isEqualTo(wanted);
        // written at once from Stripe's answer, through the ledger
        Instant stored = db.read(tx -> tx.subscriptions().find(id).orElseThrow().subscription().trialEnd());
        assertThat(stored).isEqualTo(Instant.ofEpochSecond(wanted));
        JsonNode audit = JSON.readTree(cli.run("-o", "json", "audit", "--account", "acme").out()).get("entries");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).get("command").asText()).isEqualTo("trial extend");
        assertThat(audit.get(0).get("reason").asText()).isEqualTo("needs time to evaluate");
        assertThat(audit.get(0).get("before").get("status").asText()).isEqualTo("trialing");
    }

    @Test
    void aDryRunShowsTheRequestAndSendsNothing() throws Exception {
        long trialEnd = now + 3 * 86400;
        String id = trialing("acme", trialEnd).get("id").asText();
        Instant until = Instant.ofEpochSecond(now + 200 * 86400L);
        CliRunner.Result r = cli.run("-o", "json", "trial", "extend", "--account", "acme", "--until", until.toString(), "--dry-run");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode json = JSON.readTree(r.out());
        assertThat(json.get("sent").asBoolean()).isFalse();
        assertThat(json.at("/request/path").asText()).isEqualTo("/v1/subscriptions/" + id);
        assertThat(json.at("/request/fields/trial_end").asText()).isEqualTo(Long.toString(until.getEpochSecond()));
        assertThat(fake.requests()).isEmpty();
        assertThat(cli.run("audit", "--account", "acme").out()).doesNotContain("trial extend");
    }

    @Test
    void refusesWhatIsNotATrialALiveKeyAndBadInput() {
        trialing("acme", now + 3 * 86400);
        CliRunner.Result live = cli.env("STRIPE_SECRET_KEY", "sk_live_FAKE_support77")
                .run("trial", "extend", "--account", "acme", "--days", "7", "--reason", "x");
        assertThat(live.code()).as(live.toString()).isEqualTo(4);
        assertThat(fake.requests()).isEmpty();
        cli.env("STRIPE_SECRET_KEY", "sk_test_FAKE_support77");

        CliRunner.Result noReason = cli.run("trial", "extend", "--account", "acme", "--days", "7");
        assertThat(noReason.code()).isEqualTo(2);
        assertThat(noReason.err()).isEqualTo("billing: --reason is required for a write (it goes to the audit log); --dry-run needs none\n");
        CliRunner.Result both = cli.run("trial", "extend", "--account", "acme", "--reason", "x");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).isEqualTo("billing: give --days N or --until DATE\n");
        CliRunner.Result past = cli.run("trial", "extend", "--account", "acme", "--until", "2001-01-01", "--reason", "x");
        assertThat(past.code()).isEqualTo(2);
        assertThat(past.err()).startsWith("billing: the new trial end 2001-01-02T00:00:00Z is not in the future");
        assertThat(fake.requests()).isEmpty();

        String customer = fake.newCustomer("beta").get("id").asText();
        ObjectNode active = fake.newSubscription(customer, priceId("pro_monthly"), "active", now - 86400, now + 86400 * 29,
                Map.of("account_id", "beta"));
        db.useTransaction(tx -> {
            tx.accounts().linkCustomer("beta", customer);
            tx.subscriptions().insertIfAbsent(Subscription.fromStripe(active, k -> Optional.of("pro")).withAccount("beta"),
                    Instant.ofEpochSecond(now - 86400), "evt_seed_beta");
        });
        CliRunner.Result notTrialing = cli.run("trial", "extend", "--account", "beta", "--days", "7", "--reason", "x");
        assertThat(notTrialing.code()).isEqualTo(1);
        assertThat(notTrialing.err()).isEqualTo("billing: " + active.get("id").asText() + " is active, not trialing: there is no trial to extend\n");
    }
}
