package dev.billingcli.cli;

import dev.billingcli.App;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code billing --version}: the tool, stripe-java, and the Stripe API version the tool speaks (the
 * one stripe-java pins). Both Stripe values are compile-time constants (from {@code stripe/StripeVersions}, through
 * {@link App}), so this loads no Stripe class.
 */
public final class VersionInfo implements IVersionProvider {
    public static final String STRIPE_JAVA_VERSION = App.STRIPE_JAVA_VERSION;
    public static final String STRIPE_API_VERSION = App.STRIPE_API_VERSION;

    public static String toolVersion() {
        try (InputStream in = VersionInfo.class.getResourceAsStream("/billing-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "billing " + toolVersion(),
            "stripe-java " + STRIPE_JAVA_VERSION,
            "Stripe API " + STRIPE_API_VERSION,
            "Java " + System.getProperty("java.version"),
        };
    }
}
