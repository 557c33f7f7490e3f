package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.CliRunner;
import dev.billingcli.TestPostgres;
import dev.billingcli.store.Database;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report} on the {@link AccountsFixture}, against numbers computed by hand (plans.yaml: pro 9.90 a month or
 * 99.00 a year, business 29.00 or 290.00, EUR). Paying (active, past_due):
 * <pre>
 * pro       a01 monthly × 1   990 × 12 = 11 880 a year
 *           a02 yearly  × 2   9 900 × 2 = 19 800
 *           a10 monthly × 1   11 880
 *           → 3 subscriptions, quantity 4, ARR 43 560 → MRR 3 630 (36.30), ARR 435.60
 * business  a03 monthly × 3   2 900 × 3 × 12 = 104 400 (past_due counts)
 *           a04 yearly  × 1   29 000 (a scheduled cancellation still pays)
 *           → 2 subscriptions, quantity 4, ARR 133 400 → MRR 11 116.67 → 11 117 (111.17), ARR 1 334.00
 * total     5 subscriptions, ARR 176 960 → MRR 14 746.67 → 14 747 (147.47), ARR 1 769.60
 * left out  a05 trialing, a06 and a10's old one canceled, a07 unpaid, a08 paused; a11's legacy_monthly is not in plans.yaml: unpriced
 * </pre>
 * Last 30 days: trials started a05 (5 days ago) and a10 (20 days ago) = 2; converted a10 (trial ended 6 days ago, active) = 1;
 * churned a06 (10 days ago) = 1 (a10's old subscription ended 40 days ago: outside).
 */
class ReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CliRunner cli;
    private Database db;

    @BeforeEach
    void seed() {
        String url = TestPostgres.newDatabaseUrl();
        cli = CliRunner.withRepoPlans(dir).env("DATABASE_URL", url);
        db = Database.open(url, dir, 2, m -> {});
        db.migrate();
        new AccountsFixture(db).seed();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void jsonHasTheHandComputedNumbers() throws Exception {
        CliRunner.Result r = cli.run("-o", "json", "report");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        JsonNode report = JSON.readTree(r.out());
        assertThat(report.get("revenue").toString()).isEqualTo("""
                [{"plan":"pro","currency":"eur","subscriptions":3,"quantity":4,"mrr":3630,"arr":43560},\
                {"plan":"business","currency":"eur","subscriptions":2,"quantity":4,"mrr":11117,"arr":133400}]""");
        assertThat(report.get("totals").toString()).isEqualTo("""
                [{"currency":"eur","subscriptions":5,"mrr":14747,"arr":176960}]""");
        assertThat(report.get("unpricedSubscriptions").asLong()).isEqualTo(1);
        assertThat(report.get("discountsApplied").asBoolean()).isFalse();
        assertThat(report.get("statuses").toString()).isEqualTo("""
                [{"status":"active","subscriptions":5},{"status":"canceled","subscriptions":2},{"status":"past_due","subscriptions":1},\
                {"status":"paused","subscriptions":1},{"status":"trialing","subscriptions":1},{"status":"unpaid","subscriptions":1}]""");
        assertThat(report.get("activity").toString()).isEqualTo("""
                {"days":30,"trialsStarted":2,"trialsConverted":1,"churned":1}""");
    }

    @Test
    void plainTablesWhenPiped() {
        CliRunner.Result r = cli.run("report");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("""
                Recurring revenue (active and past_due; yearly ÷ 12; × quantity; before discounts, which are not stored)
                PLAN      CURRENCY  SUBSCRIPTIONS  QUANTITY  MRR     ARR
                pro       EUR       3              4         36.30   435.60
                business  EUR       2              4         111.17  1334.00
                total     EUR       5                        147.47  1769.60
                1 paying subscription(s) have a price that is not in plans.yaml: not counted above.

                Subscriptions by status
                STATUS    COUNT
                active    5
                canceled  2
                past_due  1
                paused    1
                trialing  1
                unpaid    1

                Last 30 days: 2 trial(s) started, 1 trial(s) converted, 1 subscription(s) churned
                """);
        assertThat(r.out()).doesNotContain("█");
    }

    @Test
    void anEmptyDatabaseReportsZeros() throws Exception {
        CliRunner empty = new CliRunner(dir).env("DATABASE_URL", TestPostgres.newDatabaseUrl());
        JsonNode report = JSON.readTree(empty.run("-o", "json", "report").out());
        assertThat(report.get("totals").toString()).isEqualTo("[{\"currency\":\"eur\",\"subscriptions\":0,\"mrr\":0,\"arr\":0}]");
        assertThat(report.get("statuses")).isEmpty();
        assertThat(empty.run("report").out()).contains("Subscriptions by status\nnone\n");
    }
}
