package dev.billingcli.webhook.handlers;

import dev.billingcli.webhook.Handler;
import dev.billingcli.webhook.HandlerContext;
import dev.billingcli.webhook.Outcome;

/**
 * {@code customer.created}: a customer that names its account ({@code metadata.account_id}, as checkout
 * creates them) is linked to it, and the account keeps the customer's email.
 */
public class CustomerCreatedHandler implements Handler {
    @Override
    public Outcome handle(HandlerContext c) {
        Customers customer = Customers.of(c.event().object());
        String account = c.ledger().accountOf(c.tx(), customer.id(), customer.metadataAccount());
        if (account == null) {
            c.note("no account linked to " + customer.id() + " yet: email not kept");
            return Outcome.APPLIED;
        }
        c.account(account);
        c.ledger().link(c.tx(), account, customer.id(), customer.email());
        return Outcome.APPLIED;
    }
}
