package dev.billingcli.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.CliRunner;
import dev.billingcli.CliRunner.Result;
import dev.billingcli.catalog.CurrenciesLoaderTestAccess;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plans list} and {@code plans validate} with prices in several currencies. */
class PlansListCurrenciesTest {
    @TempDir
    Path dir;

    @Test
    void listShowsEveryCurrencyOfEveryPrice() throws Exception {
        CliRunner cli = new CliRunner(dir);
        cli.write("plans.yaml", CurrenciesLoaderTestAccess.MULTI);
        Result table = cli.run("plans", "list");
        assertThat(table.code()).as(table.toString()).isZero();
        assertThat(table.out()).contains("9.90 / 10.90 / 8.90").contains("Amounts in EUR / USD / GBP, tax exclusive;");

        Result json = cli.run("-o", "json", "plans", "list");
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertThat(j.get("currencies").toString()).isEqualTo("[\"usd\",\"gbp\"]");
        assertThat(j.get("taxBehavior").asText()).isEqualTo("exclusive");
        assertThat(j.at("/plans/1/prices/yearly").toString())
                .isEqualTo("{\"amount\":\"99.00\",\"unitAmount\":9900,\"lookupKey\":\"pro_yearly\",\"currencyOptions\":{\"usd\":\"109.00\",\"gbp\":\"89.00\"}}");

        cli.write("plans.yaml", CurrenciesLoaderTestAccess.MULTI.replace(", gbp: \"8.90\"", ""));
        Result invalid = cli.run("plans", "validate");
        assertThat(invalid.code()).isEqualTo(2);
        assertThat(invalid.err()).isEqualTo("billing: plans.yaml:9:16: plans.pro.prices.monthly: no amount in gbp"
                + " (every price has one in each of eur, usd, gbp)\n");
    }
}
