package dev.billingcli.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.BillingException;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.fakestripe.FakeStripeExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The support commands' Stripe calls, each checked against Stripe's API description by the stand-in. */
class SubscriptionGatewayTest {
    @RegisterExtension
    final FakeStripeExtension stripe = new FakeStripeExtension();

    private FakeStripe fake;
    private SubscriptionGateway gateway;
    private String priceId;

    @BeforeEach
    void setUp() {
        fake = stripe.fake();
        gateway = new SubscriptionGateway(StripeAccess.create("sk_test_FAKE_gateway1", fake.url(), false));
        ObjectNode price = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("id", "price_pro_m")
                .put("object", "price").put("currency", "eur").put("unit_amount", 990).put("lookup_key", "pro_monthly")
                .put("active", true).put("type", "recurring").put("product", "billing_pro").put("billing_scheme", "per_unit")
                .put("created", 1_700_000_000L).put("livemode", false);
        price.putObject("metadata");
        price.putObject("recurring").put("interval", "month").put("interval_count", 1).put("usage_type", "licensed");
        fake.put("price", price);
        priceId = "price_pro_m";
    }

    private ObjectNode activeSubscription(String customer) {
        return fake.newSubscription(customer, priceId, "active", 1_780_000_000L, 1_782_592_000L, Map.of("account_id", "acme"));
    }

    @Test
    void customersAreCreatedWithTheAccountInMetadataAndFoundBySearch() {
        String id = gateway.createCustomer("acme", "billing@acme.test");
        assertThat(fake.customers()).hasSize(1);
        assertThat(fake.customers().get(0).at("/metadata/account_id").asText()).isEqualTo("acme");
        assertThat(gateway.findCustomer("acme")).contains(id);
        assertThat(gateway.findCustomer("globex")).isEmpty();
        assertThat(gateway.accountOfCustomer(id)).contains("acme");
    }

    @Test
    void checkoutSessionsHostedAndEmbedded() {
        String customer = gateway.createCustomer("acme", null);
        var hosted = gateway.createCheckoutSession(new SubscriptionGateway.CheckoutRequest(customer, "acme", java.util.Map.of("account_id", "acme"),
                priceId, 1, true, 14, false, false, "https://app.test/ok", "https://app.test/pricing", null));
        assertThat(hosted.url()).startsWith("https://checkout.stripe.com/");
        var request = fake.requests().stream().filter(r -> r.path().equals("/v1/checkout/sessions")).findFirst().orElseThrow();
        assertThat(request.params()).containsEntry("mode", "subscription").containsEntry("ui_mode", "hosted_page")
                .containsEntry("success_url", "https://app.test/ok").containsEntry("client_reference_id", "acme");
        assertThat(request.params().get("subscription_data").toString()).contains("trial_period_days=14").contains("account_id=acme");
        var embedded = gateway.createCheckoutSession(new SubscriptionGateway.CheckoutRequest(customer, "acme", java.util.Map.of(), priceId, 1,
                true, 0, false, true, null, null, "https://app.test/return"));
        assertThat(embedded.clientSecret()).isNotBlank();
        assertThat(embedded.url()).isNull();
    }

    @Test
    void portalSessionWithADeepLink() {
        String customer = gateway.createCustomer("acme", null);
        String sub = activeSubscription(customer).get("id").asText();
        // a fresh account has no Dashboard default: a session without a configuration is refused, as Stripe does
        var fresh = new SubscriptionGateway.PortalSessionRequest(customer, "https://app.test/account", null, "subscription_cancel", sub);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> gateway.createPortalSession(fresh))
                .hasMessageContaining("You can't create a portal session in test mode");
        String config = new PortalGateway(gateway.access()).create(java.util.Map.of("business_profile", java.util.Map.of("headline", "x"),
                "features", java.util.Map.of("invoice_history", java.util.Map.of("enabled", true))));
        String url = gateway.createPortalSession(new SubscriptionGateway.PortalSessionRequest(customer, "https://app.test/account", config,
                "subscription_cancel", sub));
        assertThat(url).startsWith("https://billing.stripe.com/");
        assertThat(fake.portalSessions().get(0).get("configuration").asText()).isEqualTo(config);
        assertThat(fake.portalSessions().get(0).at("/flow/type").asText()).isEqualTo("subscription_cancel");
    }

    @Test
    void scheduleAndUndoBothKindsOfCancellationThenCancelNow() {
        String customer = gateway.createCustomer("acme", null);
        String id = activeSubscription(customer).get("id").asText();

        JsonNode atEnd = gateway.cancelAtPeriodEnd(id).object();
        assertThat(atEnd.get("cancel_at_period_end").asBoolean()).isTrue();
        JsonNode kept = gateway.keepUntilFurtherNotice(id).object();
        assertThat(kept.get("cancel_at_period_end").asBoolean()).isFalse();
        assertThat(fake.writes().get(fake.writes().size() - 1).params()).containsOnlyKeys("cancel_at_period_end");

        JsonNode dated = gateway.cancelAt(id, 1_781_000_000L).object();
        assertThat(dated.get("cancel_at").asLong()).isEqualTo(1_781_000_000L);
        JsonNode cleared = gateway.clearCancelAt(id).object();
        assertThat(cleared.get("cancel_at").isNull()).isTrue();
        assertThat(fake.writes().get(fake.writes().size() - 1).params()).containsExactly(Map.entry("cancel_at", ""));

        var answer = gateway.cancelNow(id, "asked by phone");
        JsonNode ended = answer.object();
        assertThat(answer.asOf()).isCloseTo(java.time.Instant.now(), org.assertj.core.api.Assertions.within(5, java.time.temporal.ChronoUnit.SECONDS));
        assertThat(answer.requestId()).startsWith("req_");
        assertThat(ended.get("status").asText()).isEqualTo("canceled");
        assertThatThrownBy(() -> gateway.keepUntilFurtherNotice(id)).isInstanceOf(BillingException.class)
                .hasMessageContaining("canceled subscription");
        assertThat(gateway.subscription(id).object().get("status").asText()).isEqualTo("canceled");
        assertThat(gateway.subscription(id).object().at("/items/data/0/current_period_end").asLong()).isEqualTo(1_782_592_000L);
    }

    @Test
    void listsEverySubscriptionIncludingCanceledOnesPageByPageWithCustomersExpanded() {
        String linked = gateway.createCustomer("acme", null);
        String unlinked = fake.newCustomer(null).get("id").asText();
        for (int i = 0; i < 230; i++) {
            ObjectNode sub = activeSubscription(i % 2 == 0 ? linked : unlinked);
            if (i % 10 == 0) {
                sub.put("status", "canceled");
            }
        }
        List<JsonNode> all = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        int requests = gateway.eachSubscriptionPage(null, page -> {
            pageSizes.add(page.subscriptions().size());
            all.addAll(page.subscriptions());
        });
        assertThat(requests).isEqualTo(3);
        assertThat(pageSizes).containsExactly(100, 100, 30);
        assertThat(all).hasSize(230);
        assertThat(all.stream().filter(s -> s.get("status").asText().equals("canceled"))).hasSize(23);
        // newest first, as Stripe lists: the first one made (on the linked customer) comes last
        assertThat(all.get(229).at("/customer/metadata/account_id").asText()).isEqualTo("acme");
        assertThat(all.get(228).at("/customer/id").asText()).isEqualTo(unlinked);
        assertThat(fake.subscriptions().get(0).get("customer").isTextual()).isTrue();
    }
}
