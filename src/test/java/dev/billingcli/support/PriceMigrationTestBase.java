package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.fakestripe.FakeStripe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/** What the {@code prices migrate} tests share: pro monthly's old price, the raise to 12.90, subscriptions on it. */
abstract class PriceMigrationTestBase extends SupportTestBase {
    static final ObjectMapper JSON = new ObjectMapper();
    String oldPrice;

    @BeforeEach
    void oldPrice() {
        oldPrice = priceId("pro_monthly");
    }

    /** plans.yaml's pro monthly becomes 12.90 and stripe:setup makes the new price; returns it. */
    String raisePrice() {
        try {
            String plans = Files.readString(dir.resolve("plans.yaml"));
            assertThat(plans).contains("monthly: \"9.90\"");
            Files.writeString(dir.resolve("plans.yaml"), plans.replace("monthly: \"9.90\"", "monthly: \"12.90\""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CliRunner.Result setup = cli.run("stripe:setup");
        assertThat(setup.code()).as(setup.toString()).isZero();
        fake.clearRequests();
        String current = priceId("pro_monthly");
        assertThat(current).isNotEqualTo(oldPrice);
        assertThat(fake.price(oldPrice).get("active").asBoolean()).isFalse();
        return current;
    }

    ObjectNode on(String account, String lookupKey, String status) {
        return seedSubscription(account, lookupKey, status, now - 86400, now + 29 * 86400, Map.of("account_id", account), s -> {});
    }

    List<FakeStripe.Request> updates() {
        return fake.requests().stream().filter(r -> r.method().equals("POST") && r.path().startsWith("/v1/subscriptions/")).toList();
    }

    static JsonNode json(CliRunner.Result r) {
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError(r.toString(), e);
        }
    }

}
