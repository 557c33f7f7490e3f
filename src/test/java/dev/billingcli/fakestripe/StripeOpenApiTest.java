package dev.billingcli.fakestripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.param.ProductCreateParams;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The glue between the stand-in and swagger-request-validator: Stripe's form encoding, requests, responses, the overlay. */
class StripeOpenApiTest {
    private final StripeOpenApi v = StripeOpenApi.shared();

    @Test
    void decodesStripesFormEncoding() {
        assertThat(StripeOpenApi.decode("metadata[plan]=pro&items[0][price]=price_1&items[1][price]=price_2&expand[]=a&expand[]=b&name=A+b%26c"))
                .isEqualTo(Map.of("metadata", Map.of("plan", "pro"), "items", List.of(Map.of("price", "price_1"), Map.of("price", "price_2")),
                        "expand", List.of("a", "b"), "name", "A b&c"));
        assertThat(StripeOpenApi.decode("cancel_at=")).isEqualTo(Map.of("cancel_at", ""));
        assertThat(StripeOpenApi.decode("")).isEmpty();
    }

    @Test
    void acceptsWellFormedRequests() {
        assertThat(v.validateRequest("POST", "/v1/products", null,
                "id=billing_pro&name=Pro&metadata[managed_by]=billing&marketing_features[0][name]=AI+chat")).isEmpty();
        assertThat(v.validateRequest("POST", "/v1/prices", null,
                "product=billing_pro&currency=eur&unit_amount=990&recurring[interval]=month&lookup_key=123&transfer_lookup_key=true")).isEmpty();
        assertThat(v.validateRequest("GET", "/v1/prices", "lookup_keys[0]=pro_monthly&lookup_keys[1]=pro_yearly&expand[0]=data.product&limit=100", null))
                .isEmpty();
        assertThat(v.validateRequest("GET", "/v1/events", "types[0]=customer.subscription.updated&created[gte]=1780000000", null)).isEmpty();
        assertThat(v.validateRequest("POST", "/v1/subscriptions/sub_1", null, "cancel_at=")).isEmpty();
        assertThat(v.validateRequest("POST", "/v1/subscriptions/sub_1", null, "cancel_at_period_end=false")).isEmpty();
        assertThat(v.validateRequest("POST", "/v1/checkout/sessions", null,
                "mode=subscription&ui_mode=embedded_page&return_url=https%3A%2F%2Fx.test%2Fr&line_items[0][price]=price_1&line_items[0][quantity]=1"))
                .isEmpty();
        assertThat(v.validateRequest("GET", "/v1/products/search", "query=metadata%5B%27managed_by%27%5D%3A%27billing%27", null)).isEmpty();
        assertThat(v.validateRequest("DELETE", "/v1/webhook_endpoints/we_1", null, null)).isEmpty();
        assertThat(v.validateRequest("POST", "/v1/promotion_codes", null,
                "promotion[type]=coupon&promotion[coupon]=launch20&code=LAUNCH20&max_redemptions=500&restrictions[first_time_transaction]=true"))
                .isEmpty();
        assertThat(v.validateRequest("POST", "/v1/coupons", null,
                "id=launch20&percent_off=20&duration=repeating&duration_in_months=3&applies_to[products][0]=billing_pro")).isEmpty();
        // stripe-java puts a DELETE's parameters in the query string
        assertThat(v.validateRequest("DELETE", "/v1/subscriptions/sub_1", "cancellation_details[comment]=asked&prorate=true", null)).isEmpty();
    }

    @Test
    void rejectsWhatStripeWouldReject() {
        assertThat(v.validateRequest("POST", "/v1/prices", null, "currency=eur&recuring[interval]=month"))
                .singleElement().asString().startsWith("POST /v1/prices: ").contains("recuring");
        assertThat(v.validateRequest("POST", "/v1/prices", null, "unit_amount=990")).singleElement().asString().contains("currency");
        assertThat(v.validateRequest("POST", "/v1/prices", null, "currency=eur&recurring[interval]=fortnight"))
                .singleElement().asString().contains("fortnight");
        assertThat(v.validateRequest("POST", "/v1/prices", null, "currency=eur&unit_amount=9.90")).isNotEmpty();
        assertThat(v.validateRequest("POST", "/v1/prices", null, "currency=eur&metadata[plan][x]=pro")).isNotEmpty();
        assertThat(v.validateRequest("GET", "/v1/prices", "lookup_key=pro_monthly", null)).singleElement().asString().contains("lookup_key");
        assertThat(v.validateRequest("POST", "/v1/subscriptions/sub_1", null, "cancel_at=tomorrow")).isNotEmpty();
        assertThat(v.validateRequest("POST", "/v1/checkout/sessions", null, "mode=subscription&ui_mode=popup")).isNotEmpty();
        assertThat(v.validateRequest("DELETE", "/v1/subscriptions/sub_1", "cancel_reason=asked", null)).isNotEmpty();
        assertThat(v.validateRequest("DELETE", "/v1/subscriptions/sub_1", "prorate=maybe", null)).isNotEmpty();
        assertThat(v.validateRequest("POST", "/v1/no_such_thing", null, "a=b")).isNotEmpty();
        // at the pinned version a promotion code names its coupon under promotion (2025-09-30.clover)
        assertThat(v.validateRequest("POST", "/v1/promotion_codes", null, "coupon=launch20&code=LAUNCH20")).isNotEmpty();
        assertThat(v.validateRequest("POST", "/v1/promotion_codes", null, "promotion[type]=gift&promotion[coupon]=launch20")).isNotEmpty();
    }

    @Test
    void checksResponsesAgainstTheSchemaOfTheirOperation() {
        String deleted = "{\"id\":\"we_1\",\"object\":\"webhook_endpoint\",\"deleted\":true}";
        assertThat(v.validateResponse("DELETE", "/v1/webhook_endpoints/we_1", 200, "application/json", deleted)).isEmpty();
        String error = "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"No such price: 'x'\",\"code\":\"resource_missing\"}}";
        assertThat(v.validateResponse("GET", "/v1/prices/x", 404, "application/json", error)).isEmpty();

        assertThat(v.validateResponse("DELETE", "/v1/webhook_endpoints/we_1", 200, "application/json",
                "{\"id\":\"we_1\",\"object\":\"webhook_endpoint\",\"deleted\":\"yes\"}")).isNotEmpty()
                .allSatisfy(m -> assertThat(m).contains("/deleted"));
        assertThat(v.validateResponse("DELETE", "/v1/webhook_endpoints/we_1", 200, "application/json",
                "{\"id\":\"we_1\",\"object\":\"webhook_endpoint\"}")).singleElement().asString().contains("deleted");
        assertThat(v.validateResponse("GET", "/v1/prices/x", 404, "application/json", "{\"error\":{\"type\":\"oops\"}}")).isNotEmpty();
    }

    @Test
    void theFakeAnswersABadRequestWithStripesErrorAndFailsTheTest() {
        try (FakeStripe fake = FakeStripe.start()) {
            StripeClient client = StripeClient.builder().setApiKey("sk_test_FAKE_glue").setApiBase(fake.url()).build();
            ProductCreateParams bad = ProductCreateParams.builder().setName("Pro").putExtraParam("colour", "red").build();
            assertThatThrownBy(() -> client.v1().products().create(bad)).isInstanceOf(InvalidRequestException.class).hasMessageContaining("colour");
            assertThat(fake.violations()).singleElement().asString().startsWith("request POST /v1/products: ").contains("colour");
            assertThatThrownBy(() -> FakeStripeExtension.check(fake)).isInstanceOf(AssertionError.class).hasMessageContaining("colour");
            assertThat(fake.products()).isEmpty();
        }
    }

    @Test
    void aResponseStripeWouldNotSendFailsTheTest() throws Exception {
        try (FakeStripe fake = FakeStripe.start()) {
            StripeClient client = StripeClient.builder().setApiKey("sk_test_FAKE_glue").setApiBase(fake.url()).build();
            client.v1().products().create(ProductCreateParams.builder().setId("billing_pro").setName("Pro").build());
            assertThat(fake.violations()).isEmpty();
            FakeStripeExtension.check(fake);

            fake.product("billing_pro").put("active", "yes"); // a shape stripe-java would misread
            client.v1().products().retrieve("billing_pro");
            assertThat(fake.violations()).singleElement().asString().startsWith("response GET /v1/products/billing_pro → 200: ").contains("active");
            assertThatThrownBy(() -> FakeStripeExtension.check(fake)).isInstanceOf(AssertionError.class).hasMessageContaining("active");
        }
    }

    @Test
    void theBundledDescriptionIsTheSharedOneByteForByte() throws Exception {
        java.nio.file.Path shared = StripeOpenApi.sharedSpec();
        byte[] bundled;
        try (var in = new java.util.zip.GZIPInputStream(StripeOpenApi.class.getResourceAsStream(StripeOpenApi.BUNDLED))) {
            bundled = in.readAllBytes();
        }
        assertThat(bundled.length).isGreaterThan(1_000_000);
        if (shared != null) { // beside ../shared (this machine): the copy must not have drifted
            assertThat(java.security.MessageDigest.getInstance("SHA-256").digest(bundled))
                    .isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(shared)));
        }
    }
}
