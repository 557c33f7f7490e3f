package dev.billingcli.cli;

import dev.billingcli.catalog.CatalogLoader;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * Completion candidates for {@code --plan}: the ids of the plans with a price in the plans.yaml in the working directory
 * (or {@code BILLING_PLANS}) when the completion script is generated; none when there is no valid one.
 */
public final class PlanIds implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        try {
            String configured = System.getenv("BILLING_PLANS");
            Path file = Path.of(configured != null && !configured.isBlank() ? configured : "plans.yaml");
            return CatalogLoader.load(file, file.toString()).plans().values().stream().filter(p -> !p.prices().isEmpty())
                    .map(p -> p.id()).toList().iterator();
        } catch (RuntimeException e) {
            return List.<String>of().iterator();
        }
    }
}
