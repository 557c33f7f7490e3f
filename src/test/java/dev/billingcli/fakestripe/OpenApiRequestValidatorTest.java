package dev.billingcli.fakestripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.param.ProductCreateParams;
import org.junit.jupiter.api.Test;

class OpenApiRequestValidatorTest {
    private final OpenApiRequestValidator v = OpenApiRequestValidator.shared();

    @Test
    void acceptsWellFormedRequests() {
        assertThat(v.validate("POST", "/v1/products", null,
                "id=billing_pro&name=Pro&metadata[managed_by]=billing&marketing_features[0][name]=AI+chat")).isEmpty();
        assertThat(v.validate("POST", "/v1/prices", null,
                "product=billing_pro&currency=eur&unit_amount=990&recurring[interval]=month&lookup_key=pro_monthly&transfer_lookup_key=true")).isEmpty();
        assertThat(v.validate("GET", "/v1/prices", "lookup_keys[0]=pro_monthly&lookup_keys[1]=pro_yearly&expand[0]=data.product&limit=100", null)).isEmpty();
        assertThat(v.validate("POST", "/v1/subscriptions/sub_1", null, "cancel_at=")).isEmpty();
        assertThat(v.validate("POST", "/v1/subscriptions/sub_1", null, "cancel_at_period_end=false")).isEmpty();
        assertThat(v.validate("POST", "/v1/checkout/sessions", null,
                "mode=subscription&ui_mode=embedded_page&return_url=https%3A%2F%2Fx.test%2Fr&line_items[0][price]=price_1&line_items[0][quantity]=1")).isEmpty();
        assertThat(v.validate("GET", "/v1/products/search", "query=metadata%5B%27managed_by%27%5D%3A%27billing%27", null)).isEmpty();
        assertThat(v.validate("DELETE", "/v1/webhook_endpoints/we_1", null, null)).isEmpty();
        // stripe-java puts a DELETE's parameters in the query string
        assertThat(v.validate("DELETE", "/v1/subscriptions/sub_1", "cancellation_details[comment]=asked&prorate=true", null)).isEmpty();
        assertThat(v.validate("DELETE", "/v1/subscriptions/sub_1", "cancel_reason=asked", null)).isNotEmpty();
        assertThat(v.validate("DELETE", "/v1/subscriptions/sub_1", "prorate=maybe", null)).isNotEmpty();
    }

    @Test
    void rejectsWhatStripeWouldReject() {
        assertThat(v.validate("POST", "/v1/prices", null, "currency=eur&recuring[interval]=month"))
                .containsExactly("POST /v1/prices: unknown parameter \"recuring\"");
        assertThat(v.validate("POST", "/v1/prices", null, "unit_amount=990"))
                .containsExactly("POST /v1/prices: missing required parameter \"currency\"");
        assertThat(v.validate("POST", "/v1/prices", null, "currency=eur&recurring[interval]=fortnight")).singleElement().asString()
                .contains("recurring[interval]: \"fortnight\" is not one of [day, month, week, year]");
        assertThat(v.validate("POST", "/v1/prices", null, "currency=eur&unit_amount=9.90")).singleElement().asString()
                .contains("unit_amount: \"9.90\" is not a integer");
        assertThat(v.validate("GET", "/v1/prices", "lookup_key=pro_monthly", null))
                .containsExactly("GET /v1/prices: unknown query parameter \"lookup_key\"");
        assertThat(v.validate("POST", "/v1/subscriptions/sub_1", null, "cancel_at=tomorrow")).isNotEmpty();
        assertThat(v.validate("POST", "/v1/checkout/sessions", null, "mode=subscription&ui_mode=popup")).isNotEmpty();
        assertThat(v.validate("POST", "/v1/no_such_thing", null, "a=b")).singleElement().asString().contains("no such endpoint");
    }

    @Test
    void theFakeAnswersAViolationWithStripesErrorAndRecordsIt() throws Exception {
        try (FakeStripe fake = FakeStripe.start()) {
            StripeClient client = StripeClient.builder().setApiKey("sk_test_fake").setApiBase(fake.url()).build();
            ProductCreateParams bad = ProductCreateParams.builder().setName("Pro").putExtraParam("colour", "red").build();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.v1().products().create(bad))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("unknown parameter \"colour\"");
            assertThat(fake.violations()).containsExactly("POST /v1/products: unknown parameter \"colour\"");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> FakeStripeExtension.check(fake))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("colour");
            assertThat(fake.products()).isEmpty();
        }
    }

    @Test
    void theBundledDescriptionIsTheSharedOneByteForByte() throws Exception {
        java.nio.file.Path shared = OpenApiRequestValidator.sharedSpec();
        byte[] bundled;
        try (var in = new java.util.zip.GZIPInputStream(OpenApiRequestValidator.class.getResourceAsStream(OpenApiRequestValidator.BUNDLED))) {
            bundled = in.readAllBytes();
        }
        assertThat(bundled.length).isGreaterThan(1_000_000);
        if (shared != null) { // beside ../shared (this machine): the copy must not have drifted
            assertThat(java.security.MessageDigest.getInstance("SHA-256").digest(bundled))
                    .isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(shared)));
        }
    }
}
