package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.store.SubscriptionStore;
import dev.billingcli.subscription.Subscription;
import dev.billingcli.webhook.EventProcessor;
import dev.billingcli.webhook.TestEvents;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code billing change-plan --at now}: Stripe's preview first, then the update with the same proration date, audited, guarded. */
class ChangePlanTest extends SupportTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ObjectNode subscribed(String account, String lookupKey, String status) {
        return seedSubscription(account, lookupKey, status, now - 86400, now + 29 * 86400,
                Map.of("account_id", account, "billing_plan", "pro", "billing_cycle", "monthly"), s -> {});
    }


    /** Minor units the stand-in prorates: the share of the period left at the proration date. */
    private long prorations(long oldAmount, long newAmount, long date) {
        double left = (now + 29 * 86400 - date) / (double) (30 * 86400);
        return -Math.round(oldAmount * left) + Math.round(newAmount * left);
    }

    @Test
    void changesNowWithStripesPreviewFirstAndAuditsIt() throws Exception {
        ObjectNode sub = subscribed("acme", "pro_monthly", "active");
        String id = sub.get("id").asText();
        String item = sub.at("/items/data/0/id").asText();
        String business = priceId("business_monthly");

        CliRunner.Result r = cli.run("change-plan", "--account", "acme", "--plan", "business", "--reason", "upgrade by phone");
        assertThat(r.code()).as(r.toString()).isZero();
        List<FakeStripe.Request> requests = fake.requests();
        assertThat(requests).extracting(q -> q.method() + " " + q.path()).containsExactly("GET /v1/prices", "GET /v1/subscriptions/" + id,
                "POST /v1/invoices/create_preview", "POST /v1/subscriptions/" + id);
        FakeStripe.Request preview = requests.get(2);
        String date = (String) ((Map<?, ?>) preview.params().get("subscription_details")).get("proration_date");
        assertThat(Long.parseLong(date)).isBetween(now, Instant.now().getEpochSecond());
        assertThat(preview.params()).isEqualTo(Map.of("subscription", id, "subscription_details", Map.of(
                "items", List.of(Map.of("id", item, "price", business, "quantity", "1")),
                "proration_behavior", "create_prorations", "proration_date", date)));
        FakeStripe.Request update = requests.get(3);
        assertThat(update.params()).isEqualTo(Map.of("items", List.of(Map.of("id", item, "price", business, "quantity", "1")),
                "proration_behavior", "create_prorations", "proration_date", date,
                "metadata", Map.of("billing_plan", "business", "billing_cycle", "monthly")));
        assertThat(update.idempotencyKey()).isNotBlank();

        long prorations = prorations(990, 2900, Long.parseLong(date));
        String amount = String.format(java.util.Locale.ROOT, "+%d.%02d EUR", prorations / 100, prorations % 100);
        assertThat(r.out()).startsWith("Stripe's preview of the next invoice (");
        assertThat(r.out()).contains("(proration)").contains("1 × " + business)
                .endsWith("moved " + id + " from pro_monthly × 1 to business_monthly × 1; prorations " + amount + " on the next invoice\n");

        Subscription s = stored(id).subscription();
        assertThat(s.planId()).isEqualTo("business");
        assertThat(s.priceId()).isEqualTo(business);
        JsonNode audit = JSON.readTree(cli.run("-o", "json", "audit", "--account", "acme").out()).get("entries");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).get("command").asText()).isEqualTo("change-plan");
        assertThat(audit.get(0).get("reason").asText()).isEqualTo("upgrade by phone");
        assertThat(audit.get(0).get("before").get("plan").asText()).isEqualTo("pro");
        assertThat(audit.get(0).get("after").get("plan").asText()).isEqualTo("business");
        assertThat(JSON.readTree(cli.run("-o", "json", "status", "--account", "acme").out()).get("effectiveTier").asText()).isEqualTo("business");
    }

    @Test
    void aDryRunShowsOnlyStripesPreviewAndChangesNothing() throws Exception {
        ObjectNode sub = subscribed("acme", "pro_monthly", "active");
        String id = sub.get("id").asText();
        CliRunner.Result r = cli.run("-o", "json", "change-plan", "--account", "acme", "--plan", "business", "--quantity", "2", "--dry-run");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode json = JSON.readTree(r.out());
        assertThat(json.get("sent").asBoolean()).isFalse();
        assertThat(json.get("message").asText()).isEqualTo("dry run: would move " + id + " from pro_monthly × 1 to business_monthly × 2 now; nothing sent");
        String date = fake.requests().get(2).params().get("subscription_details") instanceof Map<?, ?> d ? (String) d.get("proration_date") : null;
        assertThat(json.at("/preview/prorations").asLong()).isEqualTo(prorations(990, 2 * 2900, Long.parseLong(date)));
        assertThat(json.at("/preview/total").asLong()).isEqualTo(prorations(990, 2 * 2900, Long.parseLong(date)) + 2 * 2900);
        assertThat(json.at("/request/fields/items[0][quantity]").asText()).isEqualTo("2");
        assertThat(json.at("/request/fields/proration_date").asText()).isEqualTo(date);
        assertThat(fake.requests()).noneMatch(q -> q.write() && q.path().startsWith("/v1/subscriptions"));
        assertThat(fake.subscription(id).at("/items/data/0/price/lookup_key").asText()).isEqualTo("pro_monthly");
        assertThat(stored(id).subscription().planId()).isEqualTo("pro");
        assertThat(cli.run("audit", "--account", "acme").out()).doesNotContain("change-plan");
    }

    @Test
    void refusesALiveKeyAPlanWithoutThatPriceAndAnEndedSubscription() {
        subscribed("acme", "pro_monthly", "active");
        CliRunner.Result live = cli.env("STRIPE_SECRET_KEY", "sk_live_FAKE_support77")
                .run("change-plan", "--account", "acme", "--plan", "business", "--reason", "x");
        assertThat(live.code()).as(live.toString()).isEqualTo(4);
        assertThat(fake.requests()).isEmpty();
        cli.env("STRIPE_SECRET_KEY", "sk_test_FAKE_support77");

        CliRunner.Result enterprise = cli.run("change-plan", "--account", "acme", "--plan", "enterprise", "--reason", "x");
        assertThat(enterprise.code()).isEqualTo(2);
        assertThat(enterprise.err()).isEqualTo("billing: plan enterprise has no monthly price (it is sold by hand: sales@example.com)\n");
        CliRunner.Result once = cli.run("change-plan", "--account", "acme", "--plan", "credits_pack", "--reason", "x");
        assertThat(once.code()).isEqualTo(2);
        assertThat(once.err()).isEqualTo("billing: plan credits_pack has no monthly price (it has: once)\n");
        CliRunner.Result cycle = cli.run("change-plan", "--account", "acme", "--plan", "pro", "--cycle", "once", "--reason", "x");
        assertThat(cycle.code()).isEqualTo(2);
        CliRunner.Result unknown = cli.run("change-plan", "--account", "acme", "--plan", "gold", "--reason", "x");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("billing: unknown plan gold (plans with prices: pro, business)\n");
        CliRunner.Result noReason = cli.run("change-plan", "--account", "acme", "--plan", "business");
        assertThat(noReason.code()).isEqualTo(2);
        assertThat(fake.requests()).isEmpty();

        subscribed("beta", "pro_monthly", "canceled");
        CliRunner.Result ended = cli.run("change-plan", "--account", "beta", "--plan", "business", "--reason", "x");
        assertThat(ended.code()).isEqualTo(1);
        assertThat(ended.err()).startsWith("billing: beta's subscription sub_").endsWith(" ended (canceled): start one with "
                + "'billing checkout --account beta --plan business'\n");
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void theWebhookThatFollowsChangesNothing() throws Exception {
        ObjectNode sub = subscribed("acme", "pro_monthly", "active");
        String id = sub.get("id").asText();
        ObjectNode before = sub.deepCopy();
        assertThat(cli.run("change-plan", "--account", "acme", "--plan", "business", "--cycle", "yearly", "--quantity", "3", "--reason", "x")
                .code()).isZero();
        SubscriptionStore.Stored afterChange = stored(id);
        assertThat(afterChange.subscription().interval()).isEqualTo("year");
        assertThat(afterChange.subscription().quantity()).isEqualTo(3);

        ObjectNode previous = JSON.createObjectNode();
        previous.set("items", before.get("items"));
        previous.set("metadata", before.get("metadata"));
        new EventProcessor(db, TestEvents.catalog(), null).process(TestEvents.parse(TestEvents.event("evt_change_1",
                "customer.subscription.updated", afterChange.lastEventCreated().getEpochSecond(), fake.subscription(id), previous)));
        assertThat(stored(id).subscription()).isEqualTo(afterChange.subscription());
        assertThat(JSON.readTree(cli.run("-o", "json", "audit", "--account", "acme").out()).get("entries")).hasSize(1);
    }

    @Test
    void schedulesAChangeForTheRenewalShowsItInStatusAndReleasesIt() throws Exception {
        ObjectNode sub = subscribed("acme", "business_monthly", "active");
        String id = sub.get("id").asText();
        ObjectNode before = sub.deepCopy();
        Instant periodEnd = Instant.ofEpochSecond(now + 29 * 86400);

        CliRunner.Result dry = cli.run("change-plan", "--account", "acme", "--plan", "pro", "--at", "renewal", "--dry-run");
        assertThat(dry.code()).as(dry.toString()).isZero();
        // Stripe's preview of the first invoice at the new price (the new phase alone, as a schedule from the period end), then the plan
        assertThat(dry.out()).startsWith("Stripe's preview of the next invoice (" + day(periodEnd) + "):\n"
                + "        9.90 EUR  1 × " + priceId("pro_monthly") + "\n"
                + "  prorations 0.00 EUR, total 9.90 EUR\n"
                + "dry run: would schedule the move of " + id + " from business_monthly × 1 to pro_monthly × 1 at the "
                + "renewal, " + periodEnd + " (POST /v1/subscription_schedules from_subscription=" + id + ", then its phases); nothing sent\n");
        assertThat(fake.requests()).extracting(q -> q.method() + " " + q.path()).containsExactly("GET /v1/prices", "GET /v1/subscriptions/" + id,
                "POST /v1/invoices/create_preview");
        assertThat(fake.requests().get(2).params()).isEqualTo(Map.of("customer", sub.get("customer").asText(), "schedule_details", Map.of(
                "end_behavior", "release", "phases", List.of(Map.of("items", List.of(Map.of("price", priceId("pro_monthly"), "quantity", "1")),
                        "start_date", Long.toString(now + 29 * 86400))))));
        JsonNode dryJson = JSON.readTree(cli.run("-o", "json", "change-plan", "--account", "acme", "--plan", "pro", "--at", "renewal", "--dry-run").out());
        assertThat(dryJson.at("/preview/total").asLong()).isEqualTo(990);
        assertThat(dryJson.at("/preview/invoiceDate").asText()).isEqualTo(periodEnd.toString());
        assertThat(dryJson.at("/preview/prorations").asLong()).isZero();
        assertThat(dryJson.at("/request/cost").asText()).isEqualTo("no charge now; the first invoice at the new price, " + periodEnd
                + ", is 9.90 EUR (Stripe's preview)");
        fake.clearRequests();

        CliRunner.Result live = cli.env("STRIPE_SECRET_KEY", "sk_live_FAKE_support77")
                .run("change-plan", "--account", "acme", "--plan", "pro", "--at", "renewal", "--reason", "x");
        assertThat(live.code()).as(live.toString()).isEqualTo(4);
        assertThat(fake.requests()).isEmpty();
        cli.env("STRIPE_SECRET_KEY", "sk_test_FAKE_support77");

        CliRunner.Result r = cli.run("change-plan", "--account", "acme", "--plan", "pro", "--at", "renewal", "--reason", "downgrade asked by email");
        assertThat(r.code()).as(r.toString()).isZero();
        String schedule = fake.subscription(id).get("schedule").asText();
        assertThat(r.out()).endsWith("scheduled the move of " + id + " to pro_monthly × 1 at the renewal, " + periodEnd + " (schedule " + schedule
                + "); no charge now\n").startsWith("Stripe's preview of the next invoice (" + day(periodEnd) + "):\n");
        List<FakeStripe.Request> requests = fake.requests();
        assertThat(requests).extracting(q -> q.method() + " " + q.path()).containsExactly("GET /v1/prices", "GET /v1/subscriptions/" + id,
                "POST /v1/invoices/create_preview", "POST /v1/subscription_schedules", "POST /v1/subscription_schedules/" + schedule,
                "GET /v1/subscriptions/" + id);
        requests = requests.subList(1, requests.size()); // past the preview: the writes as before
        assertThat(requests.get(2).params()).isEqualTo(Map.of("from_subscription", id));
        assertThat(requests.get(3).params()).isEqualTo(Map.of("end_behavior", "release", "phases", List.of(
                Map.of("items", List.of(Map.of("price", priceId("business_monthly"), "quantity", "1")),
                        "start_date", Long.toString(now - 86400), "end_date", Long.toString(now + 29 * 86400)),
                Map.of("items", List.of(Map.of("price", priceId("pro_monthly"), "quantity", "1")),
                        "metadata", Map.of("billing_plan", "pro", "billing_cycle", "monthly")))));
        assertThat(requests.get(2).idempotencyKey()).isNotBlank().isNotEqualTo(requests.get(3).idempotencyKey());
        assertThat(requests.get(3).idempotencyKey()).isNotBlank();
        assertThat(fake.subscriptionSchedule(schedule).at("/phases/1/start_date").asLong()).isEqualTo(now + 29 * 86400);

        SubscriptionStore.Stored scheduled = stored(id);
        assertThat(scheduled.subscription().planId()).isEqualTo("business");
        assertThat(scheduled.subscription().scheduleId()).isEqualTo(schedule);
        assertThat(scheduled.subscription().scheduledChange())
                .isEqualTo(new dev.billingcli.subscription.ScheduledChange("pro", "monthly", 1, periodEnd));
        JsonNode status = JSON.readTree(cli.run("-o", "json", "status", "--account", "acme").out());
        assertThat(status.get("scheduledPlan").asText()).isEqualTo("pro");
        assertThat(status.get("scheduledAt").asText()).isEqualTo(periodEnd.toString());
        assertThat(status.get("effectiveTier").asText()).isEqualTo("business");
        assertThat(cli.run("status", "--account", "acme").out()).contains("Scheduled ").contains(" monthly × 1 from ")
                .contains("(" + schedule + "; 'billing change-plan --account acme --cancel-scheduled' removes it)");

        // the webhook that follows changes nothing: the scheduled change stays with the schedule
        ObjectNode previous = JSON.createObjectNode();
        previous.putNull("schedule");
        new EventProcessor(db, TestEvents.catalog(), null).process(TestEvents.parse(TestEvents.event("evt_sched_1",
                "customer.subscription.updated", scheduled.lastEventCreated().getEpochSecond(), fake.subscription(id), previous)));
        assertThat(stored(id).subscription()).isEqualTo(scheduled.subscription());
        // and so do the schedule's own events: made from the subscription (one phase), then its phases set, in either order
        ObjectNode madeSchedule = fake.subscriptionSchedule(schedule).deepCopy();
        ObjectNode onePhase = madeSchedule.deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) onePhase.get("phases")).remove(1);
        EventProcessor processor = new EventProcessor(db, TestEvents.catalog(), null);
        long second = scheduled.lastEventCreated().getEpochSecond();
        processor.process(TestEvents.parse(TestEvents.event("evt_sched_2", "subscription_schedule.updated", second, madeSchedule)));
        processor.process(TestEvents.parse(TestEvents.event("evt_sched_3", "subscription_schedule.created", second, onePhase)));
        assertThat(stored(id).subscription()).isEqualTo(scheduled.subscription());
        assertThat(JSON.readTree(cli.run("-o", "json", "audit", "--account", "acme").out()).get("entries")).hasSize(1);

        CliRunner.Result twice = cli.run("change-plan", "--account", "acme", "--plan", "pro", "--cycle", "yearly", "--reason", "x");
        assertThat(twice.code()).isEqualTo(1);
        assertThat(twice.err()).isEqualTo("billing: " + id + " already has a schedule (" + schedule + ": pro monthly × 1 from " + periodEnd
                + "): remove it first with 'billing change-plan --account acme --cancel-scheduled'\n");

        fake.clearRequests();
        CliRunner.Result dryRelease = cli.run("change-plan", "--account", "acme", "--cancel-scheduled", "--dry-run");
        assertThat(dryRelease.code()).as(dryRelease.toString()).isZero();
        assertThat(dryRelease.out()).startsWith("dry run: would release schedule " + schedule + " (pro monthly × 1 from " + periodEnd + "); nothing sent\n"
                + "  POST /v1/subscription_schedules/" + schedule + "/release {}\n");
        assertThat(fake.requests()).isEmpty();
        CliRunner.Result release = cli.run("change-plan", "--account", "acme", "--cancel-scheduled", "--reason", "changed their mind");
        assertThat(release.code()).as(release.toString()).isZero();
        assertThat(release.out()).isEqualTo("released schedule " + schedule + " (pro monthly × 1 from " + periodEnd + "); " + id
                + " stays on business_monthly × 1\n");
        assertThat(fake.requests()).extracting(q -> q.method() + " " + q.path() + " " + q.params())
                .containsExactly("POST /v1/subscription_schedules/" + schedule + "/release {}", "GET /v1/subscriptions/" + id + " {}");
        assertThat(stored(id).subscription().scheduleId()).isNull();
        assertThat(stored(id).subscription().scheduledChange()).isNull();

        JsonNode audit = JSON.readTree(cli.run("-o", "json", "audit", "--account", "acme").out()).get("entries");
        assertThat(audit).hasSize(2);
        JsonNode made = audit.get(1).get("command").asText().equals("change-plan") ? audit.get(1) : audit.get(0);
        JsonNode released = made == audit.get(1) ? audit.get(0) : audit.get(1);
        assertThat(made.get("before").get("scheduled_change").isNull()).isTrue();
        assertThat(made.get("after").get("scheduled_change").asText()).isEqualTo("pro monthly × 1 from " + periodEnd);
        assertThat(released.get("command").asText()).isEqualTo("change-plan --cancel-scheduled");
        assertThat(released.get("reason").asText()).isEqualTo("changed their mind");
        assertThat(released.get("after").get("schedule").isNull()).isTrue();
        assertThat(before.get("schedule").isNull()).isTrue();
    }

    private static String day(Instant t) {
        return java.time.format.DateTimeFormatter.ofPattern("d MMM yyyy", java.util.Locale.ENGLISH).withZone(java.time.ZoneOffset.UTC).format(t);
    }
}
