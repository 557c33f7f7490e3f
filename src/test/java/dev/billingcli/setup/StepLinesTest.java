package dev.billingcli.setup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.stripe.CatalogGateway.StripePrice;
import dev.billingcli.stripe.CatalogGateway.StripeProduct;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** stripe:verify and stripe:setup lines for managed objects missing their metadata: never "?" or "null". */
class StepLinesTest {
    @Test
    void anExtraProductWithoutItsPlanInTheMetadata() {
        StripeProduct tagged = new StripeProduct("prod_1", "Old", null, true, Map.of("managed_by", "billing", "billing_plan", "old"), List.of());
        assertThat(new Step.ExtraProduct(tagged, false).drift()).isEqualTo("extra managed product prod_1 (plan old is not in plans.yaml)");
        StripeProduct untagged = new StripeProduct("prod_2", "Old", null, true, Map.of("managed_by", "billing"), List.of());
        assertThat(new Step.ExtraProduct(untagged, false).drift())
                .isEqualTo("extra managed product prod_2 (no billing_plan in its metadata, and no plan of plans.yaml uses it)");
    }

    @Test
    void anExtraPriceWithoutALookupKeyOrMetadata() {
        StripePrice keyed = new StripePrice("price_1", "prod_1", null, "eur", 990L, "year", true, "pro_yearly", Map.of("managed_by", "billing"), Map.of(),
                "unspecified");
        assertThat(new Step.ExtraPrice(keyed, false).drift()).isEqualTo("extra managed price price_1 (pro_yearly is not in plans.yaml)");
        StripePrice bare = new StripePrice("price_2", "prod_1", null, "eur", 990L, "year", true, null, Map.of("managed_by", "billing"), Map.of(), "unspecified");
        assertThat(new Step.ExtraPrice(bare, false).drift())
                .isEqualTo("extra managed price price_2 (no lookup key, no plan and cycle in its metadata: not in plans.yaml)");
        assertThat(new Step.ExtraPrice(bare, true).action()).doesNotContain("?").doesNotContain("null");
    }
}
