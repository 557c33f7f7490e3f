package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.subscription.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code billing sync}: several pages, canceled subscriptions, unlinked customers, dry run, the ordering guard. */
class SyncTest extends SupportTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private List<Subscription> rows() {
        List<String> ids = db.jdbi().withHandle(h -> h.createQuery("select stripe_subscription_id from subscriptions order by 1")
                .mapTo(String.class).list());
        return db.read(tx -> ids.stream().map(id -> tx.subscriptions().find(id).orElseThrow().subscription()).toList());
    }

    /** 250 subscriptions: 240 on 120 linked customers, 10 on one unlinked customer; every 7th canceled. */
    private List<ObjectNode> seed() {
        List<ObjectNode> subs = new ArrayList<>();
        String unlinked = fake.newCustomer(null).get("id").asText();
        for (int i = 0; i < 250; i++) {
            String customer = i < 240 ? (i % 2 == 0 ? fake.newCustomer("acct_" + (i / 2)).get("id").asText() : null) : unlinked;
            if (customer == null) {
                customer = subs.get(i - 1).get("customer").asText();
            }
            ObjectNode sub = fake.newSubscription(customer, priceId(i % 3 == 0 ? "business_yearly" : "pro_monthly"),
                    i % 7 == 0 ? "canceled" : "active", now - 5 * 86400, now + 25 * 86400, Map.of());
            subs.add(sub);
        }
        fake.clearRequests();
        return subs;
    }

    @Test
    void aFirstSyncCreatesEveryRowAcrossPagesAndASecondFindsNothingToDo() throws Exception {
        seed();
        CliRunner.Result dry = cli.run("-o", "json", "sync", "--all", "--dry-run");
        assertThat(dry.code()).as(dry.toString()).isZero();
        JsonNode d = JSON.readTree(dry.out());
        assertThat(d.get("created").asLong()).isEqualTo(250);
        assertThat(rows()).isEmpty(); // dry run: nothing written
        assertThat(fake.writes()).isEmpty();

        fake.clearRequests();
        CliRunner.Result first = cli.run("-o", "json", "sync", "--all");
        assertThat(first.code()).as(first.toString()).isZero();
        JsonNode r = JSON.readTree(first.out());
        assertThat(r.get("created").asLong()).isEqualTo(250);
        assertThat(r.get("unlinked").asLong()).isEqualTo(10);
        // ⌈250/100⌉ pages, all in one second: one window paged with starting_after, plus the older windows
        // split off while readers were idle (each found empty in one request)
        assertThat(r.get("listRequests").asInt()).isEqualTo(fake.requests().size()).isBetween(3, 3 + 15);
        assertThat(r.get("pages").asInt()).isEqualTo(r.get("listRequests").asInt());
        assertThat(fake.requests()).allSatisfy(q -> assertThat(q.params()).containsEntry("status", "all").containsEntry("limit", "100")
                .containsEntry("expand", List.of("data.customer")).containsKey("created"));

        List<Subscription> rows = rows();
        assertThat(rows).hasSize(250);
        assertThat(rows.stream().filter(Subscription::canceled)).hasSize(36);
        assertThat(rows.stream().filter(s -> s.accountId() == null)).hasSize(10);
        assertThat(rows.stream().filter(s -> "business".equals(s.planId()))).hasSize(84);
        assertThat(rows).allSatisfy(s -> assertThat(s.currentPeriodEnd()).isEqualTo(Instant.ofEpochSecond(now + 25 * 86400)));
        long accounts = db.jdbi().withHandle(h -> h.createQuery("select count(*) from accounts where stripe_customer_id is not null")
                .mapTo(Long.class).one());
        assertThat(accounts).isEqualTo(120);

        CliRunner.Result second = cli.run("sync", "--all");
        assertThat(second.code()).isZero();
        assertThat(second.out()).containsPattern("250 subscription\\(s\\) read in \\d+ request\\(s\\): 0 created, 0 updated, 250 unchanged, 10 unlinked");
    }

    @Test
    void missedWebhooksAreRepairedPerAccountAndAnOldEventCannotUndoTheRepair() throws Exception {
        List<ObjectNode> subs = seed();
        assertThat(cli.run("sync", "--all").code()).isZero();
        // Stripe moved on while the webhooks were lost
        ObjectNode changed = subs.get(2);
        changed.put("status", "past_due");
        ObjectNode ended = subs.get(4);
        ended.put("status", "canceled").put("ended_at", now).put("canceled_at", now);

        CliRunner.Result one = cli.run("sync", "--account", "acct_1");
        assertThat(one.code()).as(one.toString()).isZero();
        assertThat(one.out()).contains("acct_1: " + changed.get("id").asText() + " status active → past_due")
                .contains("1 updated").doesNotContain(ended.get("id").asText());
        assertThat(fake.requests().get(fake.requests().size() - 1).params()).containsKey("customer");

        CliRunner.Result all = cli.run("sync", "--all");
        assertThat(all.out()).contains("acct_2: " + ended.get("id").asText() + " status active → canceled").contains("1 updated");

        // the lost event from before the repair arrives late: the guard refuses it
        Subscription stale = rows().stream().filter(s -> s.id().equals(changed.get("id").asText())).findFirst().orElseThrow()
                .withStatus("active");
        boolean applied = db.read(tx -> tx.subscriptions().replace(stale, Instant.now().minusSeconds(60), "evt_late"));
        assertThat(applied).isFalse();
        assertThat(rows().stream().filter(s -> s.id().equals(changed.get("id").asText())).findFirst().orElseThrow().status())
                .isEqualTo("past_due");

        assertThat(cli.run("sync", "--account", "nobody").code()).isEqualTo(1);
        assertThat(cli.run("sync").code()).isEqualTo(2);
        assertThat(cli.run("sync", "--all", "--account", "acct_1").code()).isEqualTo(2);
    }
}
