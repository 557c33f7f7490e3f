package dev.billingcli.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.webhook.TestEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SubscriptionTest {
    private static final Instant START = Instant.ofEpochSecond(TestEvents.T0);
    private static final Instant END = START.plus(Duration.ofDays(30));
    private static final int GRACE = 3;

    private static Subscription sub(String status, boolean cancelAtPeriodEnd) {
        ObjectNode s = TestEvents.subscription("sub_1", "cus_1", "pro_monthly", status).put("cancel_at_period_end", cancelAtPeriodEnd);
        return Subscription.fromStripe(s, key -> key.startsWith("pro_") ? Optional.of("pro") : Optional.empty());
    }

    private static EffectiveAccess access(Subscription s, Instant now) {
        return EffectiveAccess.of(s, "free", GRACE, now);
    }

    @Test
    void periodAndPlanComeFromTheItemAtThePinnedVersion() {
        Subscription s = sub("active", false);
        assertThat(s.currentPeriodStart()).isEqualTo(START);
        assertThat(s.currentPeriodEnd()).isEqualTo(END);
        assertThat(s.planId()).isEqualTo("pro");
        assertThat(s.interval()).isEqualTo("month");
        ObjectNode byMetadata = TestEvents.subscription("sub_2", "cus_1", "legacy_key", "active");
        ((ObjectNode) byMetadata.at("/items/data/0/price/metadata")).put("billing_plan", "business");
        assertThat(Subscription.fromStripe(byMetadata, k -> Optional.empty()).planId()).isEqualTo("business");
    }

    @Test
    void olderRenderingsWithThePeriodOnTheSubscriptionStillWork() {
        ObjectNode s = TestEvents.subscription("sub_1", "cus_1", "pro_monthly", "active");
        ((ObjectNode) s.at("/items/data/0")).remove(java.util.List.of("current_period_start", "current_period_end"));
        s.put("current_period_start", TestEvents.T0).put("current_period_end", TestEvents.T0 + 100);
        assertThat(Subscription.fromStripe(s, k -> Optional.empty()).currentPeriodEnd()).isEqualTo(START.plusSeconds(100));
    }

    @Test
    void effectiveAccessFollowsTheRules() {
        Instant mid = START.plus(Duration.ofDays(10));
        assertThat(access(sub("active", false), mid).planId()).isEqualTo("pro");
        assertThat(access(sub("trialing", false), mid).planId()).isEqualTo("pro");
        assertThat(access(sub("past_due", false), END.plus(Duration.ofDays(2))).planId()).isEqualTo("pro");
        assertThat(access(sub("past_due", false), END.plus(Duration.ofDays(2))).until()).isEqualTo(END.plus(Duration.ofDays(GRACE)));
        assertThat(access(sub("past_due", false), END.plus(Duration.ofDays(4))).planId()).isEqualTo("free");
        assertThat(access(sub("active", true), mid).planId()).isEqualTo("pro");
        assertThat(access(sub("active", true), mid).until()).isEqualTo(END);
        assertThat(access(sub("active", true), END.plusSeconds(1)).planId()).isEqualTo("free");
        assertThat(access(sub("canceled", false), mid).planId()).isEqualTo("pro");
        assertThat(access(sub("canceled", false), END.plusSeconds(1)).planId()).isEqualTo("free");
        for (String status : new String[] {"unpaid", "incomplete", "incomplete_expired", "paused", "pending_payment", "pending_bank_transfer"}) {
            assertThat(access(sub(status, false), mid).planId()).as(status).isEqualTo("free");
        }
        assertThat(access(null, mid).planId()).isEqualTo("free");
    }

    @Test
    void predicatesAreBuiltFromEachOther() {
        Subscription scheduled = sub("active", true);
        assertThat(scheduled.cancelScheduled()).isTrue();
        assertThat(scheduled.endingWithPeriod(START)).isTrue();
        assertThat(sub("canceled", true).cancelScheduled()).as("done, not scheduled").isFalse();
        assertThat(sub("canceled", false).ended(END)).isTrue();
        assertThat(sub("pending_payment", false).pending()).isTrue();
    }
}
