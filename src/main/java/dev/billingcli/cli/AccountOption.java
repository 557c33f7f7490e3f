package dev.billingcli.cli;

import picocli.CommandLine.Option;

/** {@code --account ID}, required: the account a support command acts on. Used as a picocli {@code @Mixin}. */
final class AccountOption {
    @Option(names = "--account", required = true, paramLabel = "ID", description = "The app's account id (organisation or user).")
    String id;
}
