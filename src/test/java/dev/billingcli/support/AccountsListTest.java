package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.CliRunner;
import dev.billingcli.TestPostgres;
import dev.billingcli.store.Database;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code accounts list} through the command line on the {@link AccountsFixture}: each filter, paging, access, bad input. */
class AccountsListTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CliRunner cli;
    private Database db;
    private AccountsFixture fixture;

    @BeforeEach
    void seed() {
        String url = TestPostgres.newDatabaseUrl();
        cli = CliRunner.withRepoPlans(dir).env("DATABASE_URL", url);
        db = Database.open(url, dir, 2, m -> {});
        db.migrate();
        fixture = new AccountsFixture(db);
        fixture.seed();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private JsonNode list(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-o", "json", "accounts", "list"));
        all.addAll(List.of(args));
        CliRunner.Result r = cli.run(all.toArray(String[]::new));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        return JSON.readTree(r.out());
    }

    private List<String> ids(String... args) throws Exception {
        List<String> ids = new ArrayList<>();
        list(args).get("accounts").forEach(a -> ids.add(a.get("account").asText()));
        return ids;
    }

    @Test
    void everyAccountNewestFirstWithItsCurrentSubscription() throws Exception {
        JsonNode page = list();
        assertThat(page.get("next").isNull()).isTrue();
        List<String> ids = new ArrayList<>();
        page.get("accounts").forEach(a -> ids.add(a.get("account").asText()));
        assertThat(ids).containsExactly("a11", "a10", "a09", "a08", "a07", "a06", "a05", "a04", "a03", "a02", "a01");
        JsonNode a10 = page.get("accounts").get(1);
        assertThat(a10.get("subscriptionId").asText()).as("the running subscription, not the newer-or-older canceled one").isEqualTo("sub_a10");
        assertThat(a10.get("createdAt").asText()).isEqualTo(fixture.days(-2).toString());
        assertThat(a10.get("email").asText()).isEqualTo("a10@example.test");
    }

    @Test
    void eachFilterFindsExactlyItsAccounts() throws Exception {
        assertThat(ids("--status", "past_due,unpaid")).containsExactly("a07", "a03");
        assertThat(ids("--status", "past_due", "--status", "unpaid")).containsExactly("a07", "a03");
        assertThat(ids("--status", "canceled")).as("a10's canceled subscription is not its current one").containsExactly("a06");
        assertThat(ids("--plan", "business")).containsExactly("a07", "a04", "a03");
        assertThat(ids("--plan", "free")).isEmpty();
        assertThat(ids("--trial-ends-within", "7d")).containsExactly("a05");
        assertThat(ids("--trial-ends-within", "2d")).isEmpty();
        assertThat(ids("--cancels-within", "30d")).containsExactly("a04");
        assertThat(ids("--cancels-within", "7d")).isEmpty();
        assertThat(ids("--paused")).containsExactly("a08");
        assertThat(ids("--since", "108h")).as("created in the last 4.5 days").containsExactly("a11", "a10", "a09", "a08");
        assertThat(ids("--since", "108h", "--plan", "pro")).containsExactly("a10", "a08");
        assertThat(ids("--status", "active", "--plan", "business", "--cancels-within", "30d")).containsExactly("a04");

        // collection paused (billing pause): the status stays active, and --paused finds it too
        java.time.Instant t = java.time.Instant.now();
        db.useTransaction(tx -> {
            tx.accounts().linkCustomer("a12", "cus_a12");
            tx.subscriptions().insertIfAbsent(new dev.billingcli.subscription.Subscription("sub_a12", "a12", "cus_a12", "pro",
                    "price_pro_monthly", "pro_monthly", "month", 1, "active", t.minusSeconds(86400), t.plusSeconds(29 * 86400L), false,
                    null, null, null, null, null, "void", null, t.plusSeconds(29 * 86400L), null, null, java.util.Map.of(), null), t, "evt_a12");
        });
        assertThat(ids("--paused")).containsExactly("a12", "a08");
        assertThat(ids("--status", "active", "--paused")).containsExactly("a12");
    }

    @Test
    void effectiveAccessIsTheStatusRule() throws Exception {
        JsonNode accounts = list().get("accounts");
        java.util.Map<String, JsonNode> by = new java.util.HashMap<>();
        accounts.forEach(a -> by.put(a.get("account").asText(), a));
        assertThat(access(by.get("a03"))).isEqualTo("business|past_due, grace period|" + fixture.days(2));
        assertThat(access(by.get("a04"))).isEqualTo("business|cancels at period end|" + fixture.days(20));
        assertThat(by.get("a04").get("cancelsAt").asText()).isEqualTo(fixture.days(20).toString());
        assertThat(access(by.get("a05"))).isEqualTo("pro|trialing|null");
        assertThat(access(by.get("a06"))).isEqualTo("free|canceled, period ended|null");
        assertThat(access(by.get("a07"))).isEqualTo("free|unpaid|null");
        assertThat(access(by.get("a08"))).isEqualTo("free|paused|null");
        assertThat(access(by.get("a09"))).isEqualTo("free|no subscription|null");
        assertThat(by.get("a09").get("status").isNull()).isTrue();
        assertThat(access(by.get("a02"))).isEqualTo("pro|active|null");
        assertThat(by.get("a02").get("quantity").asInt()).isEqualTo(2);
    }

    private static String access(JsonNode a) {
        return a.get("effectivePlan").asText() + "|" + a.get("accessReason").asText() + "|" + a.get("accessUntil").asText();
    }

    @Test
    void pagesWithLimitAndAfter() throws Exception {
        JsonNode first = list("--limit", "4");
        assertThat(first.get("next").asText()).isEqualTo("a08");
        assertThat(ids("--limit", "4")).containsExactly("a11", "a10", "a09", "a08");
        assertThat(ids("--limit", "4", "--after", "a08")).containsExactly("a07", "a06", "a05", "a04");
        JsonNode last = list("--limit", "4", "--after", "a04");
        assertThat(last.get("next").isNull()).isTrue();
        assertThat(ids("--limit", "4", "--after", "a04")).containsExactly("a03", "a02", "a01");
        assertThat(ids("--plan", "business", "--limit", "1", "--after", "a07")).containsExactly("a04");
        assertThat(list("--limit", "3").get("accounts")).hasSize(3);
        assertThat(list("--limit", "11").get("next").isNull()).as("exactly the last one: no next page").isTrue();
    }

    @Test
    void tableOnAPipeWithTheAccessColumnAndTheNextPage() {
        CliRunner.Result r = cli.run("accounts", "list", "--status", "past_due,active", "--plan", "business");
        assertThat(r.code()).as(r.toString()).isZero();
        List<List<String>> cells = r.out().lines().map(l -> List.of(l.split(" {2,}"))).toList();
        assertThat(cells).containsExactly(
                List.of("ACCOUNT", "CREATED", "PLAN", "STATUS", "CYCLE", "TRIAL END / CANCELS", "ACCESS"),
                List.of("a04", day(-8), "business", "active", "yearly", "cancels " + day(20), "business (cancels at period end, until " + day(20) + ")"),
                List.of("a03", day(-9), "business", "past_due", "monthly × 3", "–", "business (past_due, grace period, until " + day(2) + ")"));
        CliRunner.Result paged = cli.run("accounts", "list", "--limit", "1");
        assertThat(paged.out()).endsWith("More: the same command with --after a11\n");
        assertThat(cli.run("accounts", "list", "--paused", "--plan", "business").out()).isEqualTo("No accounts match.\n");
    }

    private String day(long n) {
        return SupportTestDays.day(fixture.days(n));
    }

    @Test
    void badInputIsOneLineOnStderrAndExit2() {
        for (String[] args : List.of(new String[] {"--status", "past_due,overdue"}, new String[] {"--plan", "platinum"},
                new String[] {"--trial-ends-within", "7x"}, new String[] {"--cancels-within", "soon"}, new String[] {"--since", "yesterday"},
                new String[] {"--limit", "0"}, new String[] {"--limit", "5000"}, new String[] {"--after", "nobody"},
                new String[] {"--limit", "many"})) {
            List<String> all = new ArrayList<>(List.of("accounts", "list"));
            all.addAll(List.of(args));
            CliRunner.Result r = cli.run(all.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", args) + "\n" + r).isEqualTo(2);
            assertThat(r.err().lines()).as(String.join(" ", args)).hasSize(1);
            assertThat(r.out()).isEmpty();
        }
        assertThat(cli.run("accounts", "list", "--status", "overdue").err()).contains("unknown status \"overdue\"").contains("past_due");
        assertThat(cli.run("accounts", "list", "--plan", "platinum").err()).contains("unknown plan \"platinum\"");
    }
}
