package dev.billingcli.cli;

import dev.billingcli.BillingException;
import picocli.CommandLine.Option;

/**
 * What every support desk write takes: {@code --reason} (required for the write: it goes to the audit log)
 * and {@code --dry-run} (show the request, send nothing). Used as a picocli {@code @Mixin}.
 */
final class WriteOptions {
    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the audit log (required unless --dry-run).")
    String reason;

    @Option(names = "--dry-run", description = "Show exactly what would be sent, and what it costs; send nothing.")
    boolean dryRun;

    /** The reason; exit 2 without one when the command would write. */
    String reason() {
        if (!dryRun && (reason == null || reason.isBlank())) {
            throw BillingException.invalid("--reason is required for a write (it goes to the audit log); --dry-run needs none");
        }
        return reason;
    }
}
