package dev.billingcli.fakestripe;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh {@link FakeStripe} per test; after the test, any request Stripe would have rejected fails
 * it, whatever the test itself asserted.
 */
public final class FakeStripeExtension implements BeforeEachCallback, AfterEachCallback {
    private FakeStripe fake;

    public FakeStripe fake() {
        return fake;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        fake = FakeStripe.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            check(fake);
        } finally {
            fake.close();
        }
    }

    /** Throws when the fake received a request that does not match Stripe's API description. */
    static void check(FakeStripe fake) {
        if (!fake.violations().isEmpty()) {
            throw new AssertionError("requests Stripe would reject, answers Stripe would not send:\n  " + String.join("\n  ", fake.violations()));
        }
    }
}
