package dev.billingcli.cli;

import picocli.CommandLine.Option;

/** {@code --reason TEXT}: why a write was made, kept in the audit log. Used as a picocli {@code @Mixin}. */
final class ReasonOption {
    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the audit log.")
    String text;
}
