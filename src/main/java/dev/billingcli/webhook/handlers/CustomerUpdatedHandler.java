package dev.billingcli.webhook.handlers;

/** {@code customer.updated}: the same as {@code customer.created} (a changed email reaches the account). */
public final class CustomerUpdatedHandler extends CustomerCreatedHandler {}
