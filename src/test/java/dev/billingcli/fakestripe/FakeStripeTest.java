package dev.billingcli.fakestripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.billingportal.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.ProductCreateParams;
import com.stripe.param.SubscriptionListParams;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.param.billingportal.ConfigurationCreateParams;
import com.stripe.param.billingportal.ConfigurationUpdateParams;
import com.stripe.param.billingportal.SessionCreateParams;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The stand-in itself: a fresh test-mode account, WireMock's journal and faults. */
class FakeStripeTest {
    @RegisterExtension
    final FakeStripeExtension stripe = new FakeStripeExtension();

    private StripeClient client(int retries) {
        return StripeClient.builder().setApiKey("sk_test_FAKE_standin").setApiBase(stripe.fake().url()).setMaxNetworkRetries(retries).build();
    }

    private String customer(StripeClient client) throws Exception {
        return client.v1().customers().create(CustomerCreateParams.builder().setEmail("a@example.test").build()).getId();
    }

    private static ConfigurationCreateParams portalConfiguration() {
        return ConfigurationCreateParams.builder()
                .setBusinessProfile(ConfigurationCreateParams.BusinessProfile.builder().setHeadline("Manage your subscription").build())
                .setFeatures(ConfigurationCreateParams.Features.builder()
                        .setInvoiceHistory(ConfigurationCreateParams.Features.InvoiceHistory.builder().setEnabled(true).build()).build())
                .build();
    }

    @Test
    void aFreshAccountHasNoDefaultPortalConfiguration() throws Exception {
        StripeClient client = client(0);
        String customer = customer(client);
        client.v1().billingPortal().configurations().create(portalConfiguration()); // made through the API: never the default

        assertThat(stripe.fake().portalConfigurations()).singleElement().satisfies(c -> assertThat(c.get("is_default").asBoolean()).isFalse());
        assertThatThrownBy(() -> client.v1().billingPortal().sessions().create(SessionCreateParams.builder().setCustomer(customer).build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getStripeError().getType()).isEqualTo("invalid_request_error");
                    assertThat(e.getStripeError().getMessage()).startsWith("You can't create a portal session in test mode until you save your "
                            + "customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.");
                });
        assertThat(stripe.fake().portalSessions()).isEmpty();
    }

    @Test
    void aSessionUsesTheConfigurationAskedForOrTheDashboardDefault() throws Exception {
        StripeClient client = client(0);
        String customer = customer(client);
        String configuration = client.v1().billingPortal().configurations().create(portalConfiguration()).getId();

        Session asked = client.v1().billingPortal().sessions().create(SessionCreateParams.builder().setCustomer(customer)
                .setConfiguration(configuration).setReturnUrl("https://app.example.test/account")
                .setFlowData(SessionCreateParams.FlowData.builder().setType(SessionCreateParams.FlowData.Type.PAYMENT_METHOD_UPDATE).build())
                .build());
        assertThat(asked.getConfiguration()).isEqualTo(configuration);
        assertThat(asked.getUrl()).startsWith("https://billing.stripe.com/");

        stripe.fake().dashboardPortalDefault(true);
        String dashboardDefault = stripe.fake().portalConfigurations().stream().filter(c -> c.get("is_default").asBoolean())
                .findFirst().orElseThrow().get("id").asText();
        Session byDefault = client.v1().billingPortal().sessions().create(SessionCreateParams.builder().setCustomer(customer).build());
        assertThat(byDefault.getConfiguration()).isEqualTo(dashboardDefault).isNotEqualTo(configuration);
    }

    @Test
    void anUnknownOrInactiveConfigurationIsRefused() throws Exception {
        StripeClient client = client(0);
        String customer = customer(client);
        assertThatThrownBy(() -> client.v1().billingPortal().sessions().create(SessionCreateParams.builder().setCustomer(customer)
                .setConfiguration("bpc_nope").build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    assertThat(e.getCode()).isEqualTo("resource_missing");
                });

        String configuration = client.v1().billingPortal().configurations().create(portalConfiguration()).getId();
        client.v1().billingPortal().configurations().update(configuration, ConfigurationUpdateParams.builder().setActive(false).build());
        assertThatThrownBy(() -> client.v1().billingPortal().sessions().create(SessionCreateParams.builder().setCustomer(customer)
                .setConfiguration(configuration).build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getStatusCode()).isEqualTo(400))
                .hasMessageContaining("not active");
    }

    @Test
    void theJournalHoldsEveryRequestInOrderWithItsDecodedParameters() throws Exception {
        StripeClient client = client(0);
        client.v1().products().create(ProductCreateParams.builder().setId("billing_pro").setName("Pro").putMetadata("managed_by", "billing").build(),
                RequestOptions.builder().setIdempotencyKey("billing-k1").build());
        client.v1().products().retrieve("billing_pro");

        assertThat(stripe.fake().requests()).extracting(FakeStripe.Request::method, FakeStripe.Request::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("POST", "/v1/products"), org.assertj.core.groups.Tuple.tuple("GET", "/v1/products/billing_pro"));
        FakeStripe.Request write = stripe.fake().writes().get(0);
        assertThat(write.params()).containsEntry("metadata", Map.of("managed_by", "billing")).containsEntry("name", "Pro");
        assertThat(write.idempotencyKey()).isEqualTo("billing-k1");
        assertThat(write.stripeVersion()).isEqualTo(com.stripe.Stripe.API_VERSION);
        assertThat(stripe.fake().count("GET", "/v1/products")).isEqualTo(1);
        stripe.fake().clearRequests();
        assertThat(stripe.fake().requests()).isEmpty();
    }

    @Test
    void aRateLimitBurstIsRetriedWithTheSameKeyAndCreatesOneObject() throws Exception {
        // WireMock's scenarios in front of the stateful stand-in: two 429s, then the stand-in answers
        String rateLimited = "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"rate_limit\",\"message\":\"Too many requests\"}}";
        stripe.fake().stub(post(urlPathEqualTo("/v1/products")).inScenario("burst").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("once")
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json").withHeader("Stripe-Should-Retry", "true")
                        .withBody(rateLimited)));
        stripe.fake().stub(post(urlPathEqualTo("/v1/products")).inScenario("burst").whenScenarioStateIs("once").willSetStateTo("over")
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json").withHeader("Stripe-Should-Retry", "true")
                        .withBody(rateLimited)));

        client(2).v1().products().create(ProductCreateParams.builder().setId("billing_pro").setName("Pro").build());

        assertThat(stripe.fake().products()).hasSize(1);
        assertThat(stripe.fake().writes()).hasSize(3).extracting(FakeStripe.Request::idempotencyKey)
                .doesNotContainNull().containsOnly(stripe.fake().writes().get(0).idempotencyKey());
    }

    @Test
    void aConnectionResetReachesTheClientAndCreatesNothing() {
        stripe.fake().stub(post(urlPathEqualTo("/v1/products")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThatThrownBy(() -> client(0).v1().products().create(ProductCreateParams.builder().setName("Pro").build()))
                .isInstanceOf(com.stripe.exception.ApiConnectionException.class);
        assertThat(stripe.fake().products()).isEmpty();
        // the JDK's HttpURLConnection sends a POST once more when the connection dies before an answer
        // (sun.net.http.retryPost): same request, same idempotency key
        assertThat(stripe.fake().writes()).isNotEmpty().extracting(FakeStripe.Request::idempotencyKey)
                .doesNotContainNull().containsOnly(stripe.fake().writes().get(0).idempotencyKey());
    }

    @Test
    void aCannedAnswerOfATestsOwnIsCheckedLikeAnyOther() {
        FakeStripe fake = FakeStripe.start();
        try (fake) {
            fake.stub(post(urlPathEqualTo("/v1/products")).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody("{\"id\":\"prod_1\",\"object\":\"product\"}")));
            StripeClient client = StripeClient.builder().setApiKey("sk_test_FAKE_standin").setApiBase(fake.url()).build();
            try {
                client.v1().products().create(ProductCreateParams.builder().setName("Pro").build());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertThat(fake.violations()).isNotEmpty().allSatisfy(v -> assertThat(v).startsWith("response POST /v1/products → 200: "))
                    .anySatisfy(v -> assertThat(v).contains("missing required properties"));
        }
    }

    private java.util.List<String> ids(com.stripe.model.StripeCollection<? extends com.stripe.model.HasId> page) {
        return page.getData().stream().map(com.stripe.model.HasId::getId).toList();
    }

    @Test
    void listsAreNewestFirstAndFilteredByCreatedLikeStripe() throws Exception {
        FakeStripe fake = stripe.fake();
        ObjectNode price = fake.put("price", priceNode());
        String customer = fake.newCustomer("acct_1").get("id").asText();
        fake.pinClock(1_790_000_000L);
        String a = fake.newSubscription(customer, price.get("id").asText(), "active", 1, 2, Map.of()).get("id").asText();
        String b = fake.newSubscription(customer, price.get("id").asText(), "active", 1, 2, Map.of()).get("id").asText();
        fake.pinClock(1_790_000_005L);
        String c = fake.newSubscription(customer, price.get("id").asText(), "canceled", 1, 2, Map.of()).get("id").asText();
        fake.pinClock(null);
        StripeClient client = client(0);

        assertThat(ids(client.v1().subscriptions().list(SubscriptionListParams.builder().setStatus(SubscriptionListParams.Status.ALL).build())))
                .containsExactly(c, b, a);
        var page = client.v1().subscriptions().list(SubscriptionListParams.builder().setStatus(SubscriptionListParams.Status.ALL).setLimit(2L)
                .setCreated(SubscriptionListParams.Created.builder().setGte(1_790_000_000L).setLt(1_790_000_005L).build()).build());
        assertThat(ids(page)).containsExactly(b, a);
        assertThat(page.getHasMore()).isFalse();
        var second = client.v1().subscriptions().list(SubscriptionListParams.builder().setStatus(SubscriptionListParams.Status.ALL).setLimit(1L)
                .setCreated(SubscriptionListParams.Created.builder().setGte(1_790_000_000L).setLt(1_790_000_001L).build())
                .setStartingAfter(b).build());
        assertThat(ids(second)).containsExactly(a);
        assertThat(ids(client.v1().subscriptions().list(SubscriptionListParams.builder().setStatus(SubscriptionListParams.Status.ALL)
                .setCreated(1_790_000_005L).build()))).containsExactly(c);
        assertThat(ids(client.v1().subscriptions().list(SubscriptionListParams.builder().setStatus(SubscriptionListParams.Status.ALL)
                .setCreated(SubscriptionListParams.Created.builder().setGt(1_790_000_000L).setLte(1_790_000_005L).build()).build())))
                .containsExactly(c);
    }

    private static ObjectNode priceNode() {
        ObjectNode price = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("id", "price_pro_monthly")
                .put("object", "price").put("currency", "eur").put("unit_amount", 990).put("lookup_key", "pro_monthly").put("active", true)
                .put("type", "recurring").put("product", "billing_pro").put("billing_scheme", "per_unit").put("created", 1_700_000_000L)
                .put("livemode", false);
        price.putObject("recurring").put("interval", "month").put("interval_count", 1).put("usage_type", "licensed");
        price.putObject("metadata");
        return price;
    }

    @Test
    void overTheRateLimitStripeAnswers429WithoutProcessingTheRequest() throws Exception {
        stripe.fake().rateLimit(3);
        StripeClient client = client(0);
        for (int i = 0; i < 3; i++) {
            client.v1().customers().create(CustomerCreateParams.builder().build()); // the bucket holds one second's worth
        }
        assertThatThrownBy(() -> client.v1().customers().create(CustomerCreateParams.builder().build()))
                .isInstanceOfSatisfying(com.stripe.exception.RateLimitException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(429);
                    assertThat(e.getCode()).isEqualTo("rate_limit");
                    assertThat(e.getStripeError().getType()).isEqualTo("invalid_request_error");
                });
        assertThat(stripe.fake().customers()).hasSize(3);
        assertThat(stripe.fake().rateLimitedCount()).isEqualTo(1);
        // a third of a second refills one token
        assertThat(stripe.fake().awaitRateLimitToken(java.time.Duration.ofSeconds(5))).isTrue();
        client.v1().customers().create(CustomerCreateParams.builder().build());
        assertThat(stripe.fake().customers()).hasSize(4);
    }

    @Test
    void withLatencyEveryAnswerTakesARandomTimeInTheRangeAndManyAreInFlightAtOnce() throws Exception {
        stripe.fake().latency(java.time.Duration.ofMillis(150), java.time.Duration.ofMillis(250));
        StripeClient client = client(0);
        long t0 = System.nanoTime();
        client.v1().products().list(com.stripe.param.ProductListParams.builder().build());
        long oneMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(oneMs).isBetween(150L, 2_000L);

        var pool = java.util.concurrent.Executors.newFixedThreadPool(20);
        try {
            long t1 = System.nanoTime();
            var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int i = 0; i < 20; i++) {
                futures.add(pool.submit(() -> client.v1().products().list(com.stripe.param.ProductListParams.builder().build())));
            }
            for (var f : futures) {
                f.get();
            }
            // 20 answers of at least 150 ms each, together in far less than 20 × 150 ms
            assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan(1_500L);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void automaticTaxForACustomerWithoutAnAddressNeedsCheckoutToSaveOne() throws Exception {
        StripeClient client = client(0);
        stripe.fake().taxHeadOffice("DE");
        String customer = customer(client);
        String product = client.v1().products().create(ProductCreateParams.builder().setName("Pro").build()).getId();
        String price = client.v1().prices().create(com.stripe.param.PriceCreateParams.builder().setProduct(product).setCurrency("eur")
                .setUnitAmount(990L).putCurrencyOption("usd", com.stripe.param.PriceCreateParams.CurrencyOption.builder().setUnitAmount(1090L).build())
                .setRecurring(com.stripe.param.PriceCreateParams.Recurring.builder()
                        .setInterval(com.stripe.param.PriceCreateParams.Recurring.Interval.MONTH).build()).build()).getId();
        com.stripe.param.checkout.SessionCreateParams.Builder session = com.stripe.param.checkout.SessionCreateParams.builder()
                .setMode(com.stripe.param.checkout.SessionCreateParams.Mode.SUBSCRIPTION).setCustomer(customer)
                .setSuccessUrl("https://example.test/ok")
                .addLineItem(com.stripe.param.checkout.SessionCreateParams.LineItem.builder().setPrice(price).setQuantity(1L).build())
                .setAutomaticTax(com.stripe.param.checkout.SessionCreateParams.AutomaticTax.builder().setEnabled(true).build());
        assertThatThrownBy(() -> client.v1().checkout().sessions().create(session.build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getStripeError().getMessage())
                        .startsWith("Automatic tax calculation in Checkout requires a valid address on the Customer."));
        // a currency the price does not have is refused too
        assertThatThrownBy(() -> client.v1().checkout().sessions().create(session.setCurrency("gbp").setCustomerUpdate(
                com.stripe.param.checkout.SessionCreateParams.CustomerUpdate.builder()
                        .setAddress(com.stripe.param.checkout.SessionCreateParams.CustomerUpdate.Address.AUTO).build()).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("does not support the currency gbp");
        var created = client.v1().checkout().sessions().create(session.setCurrency("usd").build());
        assertThat(created.getAutomaticTax().getEnabled()).isTrue();
        assertThat(created.getCurrency()).isEqualTo("usd");
        assertThat(stripe.fake().violations()).isEmpty();
    }

    @Test
    void currencyOptionsAreAnsweredOnlyWhenExpandedAndATaxBehaviourIsSetOnce() throws Exception {
        StripeClient client = client(0);
        String product = client.v1().products().create(ProductCreateParams.builder().setName("Pro").build()).getId();
        var price = client.v1().prices().create(com.stripe.param.PriceCreateParams.builder().setProduct(product).setCurrency("eur")
                .setUnitAmount(990L).putCurrencyOption("usd", com.stripe.param.PriceCreateParams.CurrencyOption.builder().setUnitAmount(1090L).build())
                .build());
        assertThat(price.getCurrencyOptions()).isNull();
        assertThat(price.getTaxBehavior()).isEqualTo("unspecified");
        var expanded = client.v1().prices().retrieve(price.getId(),
                com.stripe.param.PriceRetrieveParams.builder().addExpand("currency_options").build());
        assertThat(expanded.getCurrencyOptions()).containsOnlyKeys("eur", "usd");
        assertThat(expanded.getCurrencyOptions().get("usd").getUnitAmount()).isEqualTo(1090L);

        // unspecified → exclusive once; exclusive → inclusive never
        client.v1().prices().update(price.getId(), com.stripe.param.PriceUpdateParams.builder()
                .setTaxBehavior(com.stripe.param.PriceUpdateParams.TaxBehavior.EXCLUSIVE).build());
        assertThatThrownBy(() -> client.v1().prices().update(price.getId(), com.stripe.param.PriceUpdateParams.builder()
                .setTaxBehavior(com.stripe.param.PriceUpdateParams.TaxBehavior.INCLUSIVE).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("cannot be changed");
        assertThat(stripe.fake().price(price.getId()).get("tax_behavior").asText()).isEqualTo("exclusive");
    }
}
