package dev.billingcli.fakestripe;

import static dev.billingcli.fakestripe.FakeStripe.filter;
import static dev.billingcli.fakestripe.FakeStripe.ok;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Invoices, their payments and refunds as the pinned API version answers them: an invoice names no
 * {@code charge} or {@code payment_intent} (2025-03-31.basil); its payments are {@code invoice_payment}
 * objects listed under it, each naming its payment intent. Stripe's rule that matters to {@code refund} is
 * kept: a payment intent is never refunded past what it collected.
 */
final class MoneyResources {
    private MoneyResources() {}

    static void register(FakeStripe s) {
        s.route("GET", "/v1/invoices", (m, p) -> {
            List<ObjectNode> found = new ArrayList<>(filter(s.invoices, i -> (!p.containsKey("customer") || i.get("customer").asText()
                    .equals(p.get("customer"))) && (!p.containsKey("status") || i.get("status").asText().equals(p.get("status")))));
            Collections.reverse(found); // newest first, as Stripe lists them
            return ok(s.list("/v1/invoices", found, p));
        });
        s.route("GET", "/v1/invoices/([^/]+)", (m, p) -> ok(Resources.get(s.invoices, "invoice", m.group(1))));
        s.route("GET", "/v1/invoice_payments", (m, p) -> ok(s.list("/v1/invoice_payments", filter(s.invoicePayments, i ->
                (!p.containsKey("invoice") || i.get("invoice").asText().equals(p.get("invoice")))
                        && (!p.containsKey("status") || i.get("status").asText().equals(p.get("status")))), p)));
        s.route("GET", "/v1/refunds", (m, p) -> ok(s.list("/v1/refunds", filter(s.refunds, r ->
                (!p.containsKey("payment_intent") || r.path("payment_intent").asText().equals(p.get("payment_intent")))
                        && (!p.containsKey("charge") || r.path("charge").asText().equals(p.get("charge")))), p)));
        s.route("POST", "/v1/refunds", (m, p) -> {
            String intent = (String) p.get("payment_intent");
            if (intent == null) {
                throw FakeStripe.invalid("the stand-in refunds payment intents only");
            }
            ObjectNode payment = filter(s.invoicePayments, i -> intent.equals(i.at("/payment/payment_intent").asText(null))).stream()
                    .findFirst().orElseThrow(() -> FakeStripe.missing("payment_intent", intent));
            long collected = payment.get("amount_paid").asLong();
            long refunded = filter(s.refunds, r -> intent.equals(r.path("payment_intent").asText())).stream()
                    .mapToLong(r -> r.get("amount").asLong()).sum();
            long amount = p.containsKey("amount") ? Long.parseLong((String) p.get("amount")) : collected - refunded;
            if (collected - refunded <= 0) {
                throw new FakeStripe.ApiError(400, "invalid_request_error", "charge_already_refunded",
                        "Charge for payment intent " + intent + " has already been refunded.");
            }
            if (amount > collected - refunded) {
                throw FakeStripe.invalid("Refund amount (" + amount + ") is greater than unrefunded amount on charge (" + (collected - refunded) + ")");
            }
            ObjectNode r = s.object().put("id", s.newId("re")).put("object", "refund").put("amount", amount)
                    .put("created", s.now()).put("currency", payment.get("currency").asText()).put("payment_intent", intent)
                    .put("status", "succeeded").put("charge", "ch_of_" + intent)
                    .put("customer", s.invoices.get(payment.get("invoice").asText()).get("customer").asText());
            r.putNull("customer_account");
            r.putNull("payment_method");
            r.putNull("balance_transaction");
            r.putNull("reason");
            r.putNull("receipt_number");
            r.putNull("source_transfer_reversal");
            r.putNull("transfer_reversal");
            r.set("metadata", Resources.metadata(null, p.get("metadata")));
            s.refunds.put(r.get("id").asText(), r);
            return ok(r);
        });
    }

    /** A paid invoice of a subscription's period, paid in one payment intent: the invoice and its invoice_payment. */
    static ObjectNode newPaidInvoice(FakeStripe s, String customer, String subscription, long amount, String currency, long periodStart,
            long periodEnd) {
        String id = s.newId("in");
        long now = s.now();
        ObjectNode invoice = Resources.invoice(s, customer, "paid", now, periodStart, periodEnd, now).put("id", id).put("currency", currency)
                .put("billing_reason", "subscription_cycle").put("attempt_count", 1).put("attempted", true).put("amount_due", amount)
                .put("amount_paid", amount).put("amount_remaining", 0).put("subtotal", amount).put("total", amount);
        invoice.putObject("lines").put("object", "list").put("has_more", false).put("url", "/v1/invoices/" + id + "/lines").putArray("data");
        invoice.putObject("metadata");
        s.invoices.put(id, invoice);
        ObjectNode payment = s.object().put("id", s.newId("inpay")).put("object", "invoice_payment").put("amount_paid", amount)
                .put("amount_requested", amount).put("created", now).put("currency", currency).put("invoice", id).put("is_default", true)
                .put("livemode", false).put("status", "paid");
        payment.putObject("payment").put("type", "payment_intent").put("payment_intent", s.newId("pi"));
        payment.putObject("status_transitions").putNull("canceled_at").put("paid_at", now);
        s.invoicePayments.put(payment.get("id").asText(), payment);
        return invoice;
    }
}
