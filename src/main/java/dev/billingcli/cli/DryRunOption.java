package dev.billingcli.cli;

import picocli.CommandLine.Option;

/** {@code --dry-run}: compare and report what would change, write nothing. Used as a picocli {@code @Mixin}. */
final class DryRunOption {
    @Option(names = "--dry-run", description = "Report what would change; write nothing.")
    boolean on;
}
