package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.CliRunner;
import dev.billingcli.fakestripe.FakeStripe;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code prices migrate} at scale: a crash in the middle and a resume, and Stripe's 429s. */
class PriceMigrationScaleTest extends PriceMigrationTestBase {
    @Test
    void aRunThatCrashesAfter100ResumesTo250MovedNoneTwice() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            ids.add(on(String.format("acct%03d", i), "pro_monthly", "active").get("id").asText());
        }
        String current = raisePrice();
        fake.dropWritesAfter(100); // Stripe is unreachable for writes after the 100th

        CliRunner.Result crashed = cli.run("prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--rate", "500", "--reason", "new price");
        assertThat(crashed.code()).as(crashed.toString()).isEqualTo(3);
        assertThat(crashed.err()).startsWith("billing: cannot reach Stripe at " + fake.url() + " to move subscription ")
                .contains("; moved 100 of 250 in run mig_")
                .endsWith(" before it stopped: 'billing prices migrate --plan pro --cycle monthly --resume' goes on from there\n");
        assertThat(fake.priceChanges()).hasSize(100);

        fake.restoreWrites();
        CliRunner.Result fresh = cli.run("prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--reason", "new price");
        assertThat(fresh.code()).as(fresh.toString()).isEqualTo(2);
        assertThat(fresh.err()).contains("stopped before it finished (100 moved): 'billing prices migrate --plan pro --cycle monthly --resume'");

        fake.clearRequests();
        CliRunner.Result resumed = cli.run("-o", "json", "prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--resume", "--rate", "500",
                "--reason", "new price");
        assertThat(resumed.code()).as(resumed.toString()).isZero();
        JsonNode out = json(resumed);
        assertThat(out.get("resumed").asBoolean()).isTrue();
        assertThat(out.get("found").asInt()).isEqualTo(150);
        assertThat(out.get("moved").asInt()).isEqualTo(150);
        assertThat(out.get("movedInRun").asInt()).isEqualTo(250);
        // every subscription moved exactly once in Stripe, and the resumed run sent one update for each of the other 150
        Map<String, Long> changes = fake.priceChanges().stream().collect(Collectors.groupingBy(FakeStripe.PriceChange::subscriptionId,
                Collectors.counting()));
        assertThat(changes).hasSize(250).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        assertThat(fake.priceChanges()).allSatisfy(c -> assertThat(c.toPriceId()).isEqualTo(current));
        Map<String, Long> sent = updates().stream().collect(Collectors.groupingBy(FakeStripe.Request::path, Collectors.counting()));
        assertThat(sent).hasSize(150).allSatisfy((path, n) -> assertThat(n).as(path).isEqualTo(1));
        assertThat(ids).allSatisfy(id -> assertThat(stored(id).subscription().priceId()).isEqualTo(current));
        assertThat(json(cli.run("-o", "json", "audit", "--limit", "1000")).get("entries").size()).isEqualTo(250);

        fake.clearRequests();
        CliRunner.Result rerun = cli.run("-o", "json", "prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--reason", "again");
        assertThat(rerun.code()).as(rerun.toString()).isZero();
        assertThat(json(rerun).get("moved").asInt()).isZero();
        assertThat(fake.writes()).isEmpty();
        assertThat(cli.run("prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--resume", "--reason", "x").code()).isEqualTo(1);
    }

    @Test
    void aStormOf429sSlowsTheRunDownWithoutFailingIt() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(on("storm" + i, "pro_monthly", "active").get("id").asText());
        }
        String current = raisePrice();
        fake.rateLimit(10); // Stripe allows 10 requests a second; the run asks for 40
        long started = System.nanoTime();
        CliRunner.Result r = cli.run("-o", "json", "prices", "migrate", "--plan", "pro", "--cycle", "monthly", "--rate", "40", "--reason", "x");
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(json(r).get("moved").asInt()).isEqualTo(20);
        assertThat(json(r).get("failed").asInt()).isZero();
        int refused = fake.rateLimitedCount();
        assertThat(refused).isPositive();
        assertThat(elapsedMs).as("backed off after the 429s").isGreaterThanOrEqualTo(1000);
        // each refused update was sent again with its own idempotency key; each subscription moved once
        assertThat(updates().stream().map(FakeStripe.Request::idempotencyKey).distinct()).hasSize(20);
        assertThat(fake.priceChanges()).extracting(FakeStripe.PriceChange::subscriptionId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(fake.priceChanges()).allSatisfy(c -> assertThat(c.toPriceId()).isEqualTo(current));
    }
}
