package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.CliRunner;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code sync --all} in windows of {@code created}: exactly once however many share a second, at Stripe's
 * rate limit without losing anything, and resumable after a crash.
 */
class SyncWindowsTest extends SupportTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code n} subscriptions: {@code sameSecond} of them created in one second, the others one per minute around it. */
    private Set<String> seed(int n, int sameSecond) {
        String pro = priceId("pro_monthly");
        long importSecond = now - 86_400;
        for (int i = 0; i < n; i++) {
            String customer = fake.newCustomer("acct_" + i).get("id").asText();
            fake.pinClock(i < sameSecond ? importSecond : importSecond + (i - sameSecond - (n - sameSecond) / 2) * 60L);
            fake.newSubscription(customer, pro, "active", now - 5 * 86_400, now + 25 * 86_400, Map.of());
        }
        fake.pinClock(null);
        fake.clearRequests();
        return fake.subscriptions().stream().map(s -> s.get("id").asText()).collect(Collectors.toSet());
    }

    private Set<String> rowIds() {
        return Set.copyOf(db.jdbi().withHandle(h -> h.createQuery("select stripe_subscription_id from subscriptions").mapTo(String.class).list()));
    }

    private long listRequests() {
        return fake.count("GET", "/v1/subscriptions");
    }

    private JsonNode run(String... args) throws Exception {
        CliRunner.Result r = cli.run(args);
        assertThat(r.code()).as(r.toString()).isZero();
        return JSON.readTree(r.out());
    }

    @Test
    void windowsCoverEverySubscriptionExactlyOnceWhenHundredsShareOneSecond() throws Exception {
        Set<String> ids = seed(1_050, 640);

        JsonNode r = run("-o", "json", "sync", "--all");

        // each page is written in its own transaction: a subscription read twice would count as unchanged
        assertThat(r.get("created").asLong()).isEqualTo(1_050);
        assertThat(r.get("unchanged").asLong()).isZero();
        assertThat(rowIds()).isEqualTo(ids);
        assertThat(r.get("listRequests").asLong()).isEqualTo(listRequests());
        assertThat(r.get("windows").asInt()).isGreaterThan(1);
        // full pages but the last of each window: at most one request a window beyond ⌈1050/100⌉
        assertThat(r.get("listRequests").asInt()).isLessThanOrEqualTo(11 + r.get("windows").asInt());
        // the 640 of one second were paged with starting_after, in a window that holds their second
        long second = now - 86_400;
        assertThat(fake.requests().stream().filter(q -> q.params().containsKey("starting_after") && q.params().get("created") instanceof Map<?, ?> c
                && Long.parseLong((String) c.get("gte")) <= second && (c.get("lt") == null || Long.parseLong((String) c.get("lt")) > second)))
                .hasSizeGreaterThanOrEqualTo(6);
        JsonNode again = run("-o", "json", "sync", "--all");
        assertThat(again.get("unchanged").asLong()).isEqualTo(1_050);
        assertThat(again.get("created").asLong()).isZero();
    }

    @Test
    void stripesRateLimitAnswers429sThatSlowTheSyncDownAndNothingIsLost() throws Exception {
        Set<String> ids = seed(900, 300);
        fake.rateLimit(6); // Stripe allows far less than the 20/s asked for

        JsonNode r = run("-o", "json", "sync", "--all", "--rate", "20");

        assertThat(fake.rateLimitedCount()).isPositive();
        assertThat(r.get("created").asLong()).isEqualTo(900);
        assertThat(r.get("unchanged").asLong()).isZero();
        assertThat(rowIds()).isEqualTo(ids);
        // a refused request is sent again: Stripe answered every page once with 200
        long answered = fake.requests().size() - fake.rateLimitedCount();
        assertThat(r.get("listRequests").asLong()).isEqualTo(answered);
    }

    @Test
    void aCrashedSyncResumesFromItsCheckpointsAndWritesNoPageTwice() throws Exception {
        Set<String> ids = seed(1_200, 500);
        fake.failReadsAfter("/v1/subscriptions", 6); // Stripe fails in the middle of the read

        CliRunner.Result crashed = cli.run("-o", "json", "sync", "--all");
        assertThat(crashed.code()).as(crashed.toString()).isEqualTo(3);
        Set<String> written = rowIds();
        assertThat(written).isNotEmpty().hasSizeLessThan(1_200);
        long windowsLeft = db.jdbi().withHandle(h -> h.createQuery("select count(*) from sync_windows").mapTo(Long.class).one());
        assertThat(windowsLeft).isPositive();

        fake.failReadsAfter(null, 0);
        fake.clearRequests();
        JsonNode resumed = run("-o", "json", "sync", "--all", "--resume");

        assertThat(resumed.get("resumed").asBoolean()).isTrue();
        // the rows of the first run are not read again, the rest is read once
        assertThat(resumed.get("unchanged").asLong()).isZero();
        assertThat(resumed.get("created").asLong()).isEqualTo(1_200 - written.size());
        assertThat(rowIds()).isEqualTo(ids);
        assertThat(resumed.get("listRequests").asLong()).isEqualTo(listRequests())
                .isLessThanOrEqualTo((1_200 - written.size() + 99) / 100 + resumed.get("windows").asLong());
        long unfinished = db.jdbi().withHandle(h -> h.createQuery("select count(*) from sync_runs where finished_at is null")
                .mapTo(Long.class).one());
        assertThat(unfinished).isZero();

        // nothing left to resume: --resume is a full sync
        JsonNode full = run("-o", "json", "sync", "--all", "--resume");
        assertThat(full.get("resumed").asBoolean()).isFalse();
        assertThat(full.get("unchanged").asLong()).isEqualTo(1_200);
    }

    @Test
    void aDryRunWritesNothingNotEvenACheckpointAndResumeRefusesIt() throws Exception {
        seed(300, 150);
        JsonNode dry = run("-o", "json", "sync", "--all", "--dry-run");
        assertThat(dry.get("created").asLong()).isEqualTo(300);
        assertThat(rowIds()).isEmpty();
        long runs = db.jdbi().withHandle(h -> h.createQuery("select count(*) from sync_runs").mapTo(Long.class).one());
        assertThat(runs).isZero();
        assertThat(fake.writes()).isEmpty();

        CliRunner.Result both = cli.run("sync", "--all", "--resume", "--dry-run");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err().strip()).isEqualTo("billing: --resume continues an interrupted sync --all; a dry run keeps no checkpoints to resume");
        CliRunner.Result account = cli.run("sync", "--account", "acct_1", "--resume");
        assertThat(account.code()).isEqualTo(2);
        assertThat(account.err()).contains("--resume").doesNotContain("null").doesNotContain("Exception");
    }
}
