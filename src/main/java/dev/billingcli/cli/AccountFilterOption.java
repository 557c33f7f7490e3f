package dev.billingcli.cli;

import picocli.CommandLine.Option;

/** {@code --account ID}, optional: narrows a listing to one account. Used as a picocli {@code @Mixin}. */
final class AccountFilterOption {
    @Option(names = "--account", paramLabel = "ID", description = "Only this account.")
    String id;
}
