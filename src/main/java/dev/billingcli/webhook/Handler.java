package dev.billingcli.webhook;

/** Applies one type of event, inside the transaction that stores it. */
@FunctionalInterface
public interface Handler {
    Outcome handle(HandlerContext context);
}
