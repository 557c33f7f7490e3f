package dev.billingcli.setup;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.billingcli.CliRunner;
import org.junit.jupiter.api.Test;

/** Stripe's 429s slow a command down without failing it; a storm that does not end fails with one line. */
class RateLimitTest extends StripeCliTestBase {
    private static final String TOO_MANY = "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"rate_limit\","
            + "\"message\":\"Too many requests\"}}";

    /** The next {@code n} price lists answer 429, then the stand-in answers. */
    private void rateLimited(int n) {
        for (int i = 0; i < n; i++) {
            fake.stub(get(urlPathEqualTo("/v1/prices")).inScenario("storm")
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "after " + i).willSetStateTo("after " + (i + 1))
                    .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                            .withHeader("Stripe-Should-Retry", "true").withBody(TOO_MANY)));
        }
    }

    @Test
    void aBurstOf429sOutlastsStripeJavasOwnRetriesAndTheCommandStillSucceeds() {
        assertThat(cli.run("stripe:setup").code()).isZero();
        fake.clearRequests();
        rateLimited(4); // stripe-java tries 3 times, then this client waits and sends again
        CliRunner.Result verify = cli.run("stripe:verify");
        assertThat(verify.code()).as(verify.toString()).isZero();
        assertThat(fake.requests().stream().filter(r -> r.method().equals("GET") && r.path().equals("/v1/prices"))).hasSize(4 + 1);
        assertThat(fake.writes()).isEmpty();
    }

    @Test
    void aBadRateIsNamed() {
        CliRunner.Result r = cli.env("BILLING_STRIPE_RATE", "fast").run("stripe:verify");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("billing: BILLING_STRIPE_RATE: \"fast\" is not a number of requests per second (e.g. 20)\n");
    }

    @Test
    void rateFlagOutOfRangeIsNamedAndNothingIsSent() {
        fake.clearRequests();
        CliRunner.Result r = cli.run("sync", "--all", "--rate", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("billing: --rate: 0 is not a number of requests per second between 0 and 10000 (e.g. 20)\n");
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void rateFlagThatIsNoNumberIsNamed() {
        CliRunner.Result r = cli.run("events", "fetch", "--rate", "fast");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("billing: Invalid value for option '--rate': 'fast' is not a double; see 'billing events fetch --help'\n");
    }
}
