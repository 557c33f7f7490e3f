package dev.billingcli.fakestripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.billingportal.Session;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.billingportal.ConfigurationCreateParams;
import com.stripe.param.billingportal.ConfigurationUpdateParams;
import com.stripe.param.billingportal.SessionCreateParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The stand-in itself: a fresh test-mode account. */
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
}
