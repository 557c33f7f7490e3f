package dev.billingcli.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billingcli.CliRunner;
import dev.billingcli.catalog.Money;
import dev.billingcli.webhook.EventProcessor;
import dev.billingcli.webhook.Outcome;
import dev.billingcli.webhook.TestEvents;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code billing refund}: an invoice's payment found under the invoice (the pinned API's invoice_payments, no
 * top-level charge), never more than paid minus refunded, audited, guarded; credits untouched.
 */
class RefundTest extends SupportTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private String customer;
    private long paid;

    /** acme: an active subscription and its paid invoice (one payment intent). @return the invoice */
    private ObjectNode paidInvoice(String account) {
        ObjectNode sub = active(account);
        customer = sub.get("customer").asText();
        db.useTransaction(tx -> tx.credits().resetTo(account, 100, "subscription_create pro", "invoice:seed"));
        paid = fake.price(priceId("pro_monthly")).get("unit_amount").asLong();
        ObjectNode invoice = fake.newPaidInvoice(customer, sub.get("id").asText(), paid, "eur", now - 86400, now + 29 * 86400);
        fake.clearRequests();
        return invoice;
    }

    private String intentOf(ObjectNode invoice) {
        return fake.invoicePayments(invoice.get("id").asText()).get(0).at("/payment/payment_intent").asText();
    }

    private static String eur(long minor) {
        return Money.format(minor, "eur") + " EUR";
    }

    private JsonNode audit(String account) throws Exception {
        return JSON.readTree(cli.run("-o", "json", "audit", "--account", account).out()).get("entries");
    }

    /** A map as the audit log gives it back (parsed JSON: small numbers are ints). */
    private static JsonNode tree(Map<String, Object> m) throws Exception {
        return JSON.readTree(JSON.writeValueAsString(m));
    }

    private long credits(String account) {
        return db.read(tx -> tx.credits().balance(account));
    }

    @Test
    void refundsTheNewestPaidInvoiceInFullThroughItsPaymentIntentAndAuditsIt() throws Exception {
        ObjectNode invoice = paidInvoice("acme");
        String id = invoice.get("id").asText();
        String intent = intentOf(invoice);

        CliRunner.Result r = cli.run("refund", "--account", "acme", "--last", "--reason", "charged twice");
        assertThat(r.code()).as(r.toString()).isZero();
        String refund = fake.refunds().get(0).get("id").asText();
        assertThat(r.out()).isEqualTo("refunded " + eur(paid) + " (all of it) of " + id + " (" + intent + "): " + refund + " (succeeded)\n");

        assertThat(fake.requests()).extracting(q -> q.method() + " " + q.path()).containsExactly("GET /v1/invoices", "GET /v1/invoice_payments",
                "GET /v1/refunds", "POST /v1/refunds");
        assertThat(fake.requests().get(0).params()).isEqualTo(Map.of("customer", customer, "status", "paid", "limit", "1"));
        assertThat(fake.requests().get(1).params()).isEqualTo(Map.of("invoice", id, "limit", "100"));
        assertThat(fake.requests().get(2).params()).isEqualTo(Map.of("payment_intent", intent, "limit", "100"));
        var sent = fake.writes().get(0);
        assertThat(sent.params()).isEqualTo(Map.of("payment_intent", intent, "metadata", Map.of("account_id", "acme", "invoice", id)));
        assertThat(sent.idempotencyKey()).isNotBlank();

        JsonNode entries = audit("acme");
        assertThat(entries).hasSize(1);
        JsonNode a = entries.get(0);
        assertThat(a.get("command").asText()).isEqualTo("refund");
        assertThat(a.get("reason").asText()).isEqualTo("charged twice");
        assertThat(a.get("before")).isEqualTo(tree(Map.of("invoice", id, "payment", intent, "currency", "eur", "amount_paid", paid,
                "refunded", 0)));
        assertThat(a.get("after")).isEqualTo(tree(Map.of("refund", refund, "amount", paid, "status", "succeeded", "refunded", paid)));
        assertThat(credits("acme")).as("credits are not changed by a refund").isEqualTo(100);

        // all of it refunded: a second one is refused before any write
        fake.clearRequests();
        CliRunner.Result again = cli.run("refund", "--account", "acme", "--invoice", id, "--reason", "x");
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).isEqualTo("billing: " + id + " is refunded in full already (paid " + eur(paid) + ", refunded " + eur(paid) + ")\n");
        assertThat(fake.count("POST", "/v1/refunds")).isZero();
    }

    @Test
    void aPartialRefundSendsTheExactAmountAndNeverMoreThanIsLeft() throws Exception {
        ObjectNode invoice = paidInvoice("acme");
        String id = invoice.get("id").asText();
        CliRunner.Result over = cli.run("refund", "--account", "acme", "--invoice", id, "--amount", Money.format(paid + 1, "eur"), "--reason", "x");
        assertThat(over.code()).isEqualTo(2);
        assertThat(over.err()).isEqualTo("billing: --amount " + eur(paid + 1) + " is more than the " + eur(paid) + " left to refund on " + id
                + " (paid " + eur(paid) + ", refunded 0.00 EUR)\n");
        assertThat(fake.count("POST", "/v1/refunds")).isZero();

        CliRunner.Result part = cli.run("-o", "json", "refund", "--account", "acme", "--invoice", id, "--amount", "1.5", "--reason", "goodwill");
        assertThat(part.code()).as(part.toString()).isZero();
        assertThat(fake.writes()).hasSize(1);
        assertThat(fake.writes().get(0).params()).containsEntry("amount", "150");
        JsonNode json = JSON.readTree(part.out());
        assertThat(json.get("amount").asLong()).isEqualTo(150);
        assertThat(json.get("full").asBoolean()).isFalse();
        assertThat(json.get("refundedBefore").asLong()).isZero();
        assertThat(json.get("paid").asLong()).isEqualTo(paid);

        fake.clearRequests();
        CliRunner.Result rest = cli.run("refund", "--account", "acme", "--invoice", id, "--amount", Money.format(paid - 149, "eur"), "--reason", "x");
        assertThat(rest.code()).isEqualTo(2);
        assertThat(rest.err()).contains("left to refund on " + id + " (paid " + eur(paid) + ", refunded 1.50 EUR)");
        assertThat(fake.count("POST", "/v1/refunds")).isZero();

        CliRunner.Result badAmount = cli.run("refund", "--account", "acme", "--invoice", id, "--amount", "1.505", "--reason", "x");
        assertThat(badAmount.code()).isEqualTo(2);
        assertThat(badAmount.err()).isEqualTo("billing: --amount \"1.505\" has more than 2 decimals, the most EUR allows\n");
        assertThat(fake.count("POST", "/v1/refunds")).isZero();
    }

    @Test
    void aDryRunSendsNoWrite() throws Exception {
        ObjectNode invoice = paidInvoice("acme");
        String id = invoice.get("id").asText();
        CliRunner.Result r = cli.run("refund", "--account", "acme", "--last", "--amount", "2", "--dry-run");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("dry run: would refund 2.00 EUR of " + id + " (" + intentOf(invoice) + "); nothing sent\n"
                + "  POST /v1/refunds {payment_intent=" + intentOf(invoice) + ", amount=200, metadata[account_id]=acme, metadata[invoice]=" + id + "}\n"
                + "  cost: 2.00 EUR back to the customer's payment method (paid " + eur(paid) + ", refunded 0.00 EUR; " + eur(paid - 200)
                + " left to refund after)\n");
        assertThat(fake.writes()).isEmpty();
        assertThat(fake.refunds()).isEmpty();
        assertThat(audit("acme")).isEmpty();
    }

    @Test
    void refusesALiveKeyAnotherAccountsInvoiceAndBadInput() {
        ObjectNode invoice = paidInvoice("acme");
        CliRunner.Result live = cli.env("STRIPE_SECRET_KEY", "sk_live_FAKE_support77").run("refund", "--account", "acme", "--last",
                "--reason", "x");
        assertThat(live.code()).as(live.toString()).isEqualTo(4);
        assertThat(fake.requests()).isEmpty();
        cli.env("STRIPE_SECRET_KEY", "sk_test_FAKE_support77");

        String other = fake.newCustomer("globex").get("id").asText();
        db.useTransaction(tx -> tx.accounts().linkCustomer("globex", other));
        CliRunner.Result notTheirs = cli.run("refund", "--account", "globex", "--invoice", invoice.get("id").asText(), "--reason", "x");
        assertThat(notTheirs.code()).isEqualTo(2);
        assertThat(notTheirs.err()).isEqualTo("billing: " + invoice.get("id").asText() + " is not an invoice of globex (its customer is "
                + customer + ")\n");
        CliRunner.Result none = cli.run("refund", "--account", "globex", "--last", "--reason", "x");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("billing: globex has no paid invoice\n");
        CliRunner.Result both = cli.run("refund", "--account", "acme", "--last", "--invoice", invoice.get("id").asText(), "--reason", "x");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).isEqualTo("billing: give --invoice in_… or --last\n");
        CliRunner.Result noReason = cli.run("refund", "--account", "acme", "--last");
        assertThat(noReason.code()).isEqualTo(2);
        assertThat(fake.count("POST", "/v1/refunds")).isZero();
    }

    private JsonNode statusJson(String account) throws Exception {
        CliRunner.Result r = cli.run("-o", "json", "status", "--account", account);
        assertThat(r.code()).as(r.toString()).isZero();
        return JSON.readTree(r.out());
    }

    @Test
    void statusShowsTheRefundAndTheWebhooksThatFollowChangeNothingButAFailure() throws Exception {
        ObjectNode invoice = paidInvoice("acme");
        String id = invoice.get("id").asText();
        String intent = intentOf(invoice);
        assertThat(statusJson("acme").get("refunds")).isEmpty();
        assertThat(cli.run("status", "--account", "acme").out()).doesNotContain("Refunds");

        assertThat(cli.run("refund", "--account", "acme", "--last", "--amount", "2", "--reason", "goodwill").code()).isZero();
        ObjectNode refund = fake.refunds().get(0).deepCopy();
        String re = refund.get("id").asText();
        String day = java.time.format.DateTimeFormatter.ofPattern("d MMM yyyy", java.util.Locale.ENGLISH).withZone(java.time.ZoneOffset.UTC)
                .format(java.time.Instant.ofEpochSecond(refund.get("created").asLong()));
        JsonNode shown = statusJson("acme").get("refunds");
        assertThat(shown).hasSize(1);
        assertThat(shown.get(0)).isEqualTo(JSON.readTree("{\"id\":\"" + re + "\",\"invoice\":\"" + id + "\",\"payment\":\"" + intent
                + "\",\"amount\":200,\"currency\":\"eur\",\"status\":\"succeeded\",\"created\":\""
                + java.time.Instant.ofEpochSecond(refund.get("created").asLong()) + "\"}"));
        assertThat(cli.run("status", "--account", "acme").out()).contains("Refunds   last 1:\n  " + day + "  2.00 EUR of " + id + " (" + intent
                + ")  succeeded  " + re + "\n");

        // Stripe's refund.created for the same refund: already recorded, nothing changes, no second audit row
        EventProcessor processor = new EventProcessor(db, TestEvents.catalog(), null);
        var created = processor.process(TestEvents.parse(TestEvents.event("evt_re_1", "refund.created", refund.get("created").asLong(), refund)));
        assertThat(created.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(created.accountId()).isEqualTo("acme");
        assertThat(created.note()).isEqualTo("refund " + re + " already recorded (succeeded changes nothing)");
        assertThat(statusJson("acme").get("refunds")).isEqualTo(shown);
        assertThat(audit("acme")).hasSize(1);

        // the refund fails later (the money goes back to the balance): refund.updated says so, and a late pending changes nothing
        ObjectNode failed = refund.deepCopy().put("status", "failed");
        processor.process(TestEvents.parse(TestEvents.event("evt_re_2", "refund.updated", refund.get("created").asLong() + 3600, failed)));
        ObjectNode pending = refund.deepCopy().put("status", "pending");
        var late = processor.process(TestEvents.parse(TestEvents.event("evt_re_3", "refund.updated", refund.get("created").asLong() + 60, pending)));
        assertThat(late.note()).isEqualTo("refund " + re + " already recorded (pending changes nothing)");
        assertThat(statusJson("acme").at("/refunds/0/status").asText()).isEqualTo("failed");
        // delivered again: a duplicate, stored once
        assertThat(processor.process(TestEvents.parse(TestEvents.event("evt_re_2", "refund.updated", refund.get("created").asLong() + 3600,
                failed))).outcome()).isEqualTo(Outcome.DUPLICATE);
    }

    @Test
    void aRefundMadeInTheDashboardReachesStatusThroughItsEventsInAnyOrder() throws Exception {
        ObjectNode invoice = paidInvoice("acme");
        String intent = intentOf(invoice);
        // the Dashboard's refund: no metadata; at the pinned API a refund names its customer
        ObjectNode refund = JSON.createObjectNode().put("id", "re_dash1").put("object", "refund").put("amount", 300).put("created", now)
                .put("currency", "eur").put("customer", customer).put("payment_intent", intent).put("charge", "ch_of_" + intent)
                .put("status", "pending");
        refund.putObject("metadata");
        EventProcessor processor = new EventProcessor(db, TestEvents.catalog(), null);
        // updated (succeeded) before created (pending): the furthest status stays
        ObjectNode succeeded = refund.deepCopy().put("status", "succeeded");
        var first = processor.process(TestEvents.parse(TestEvents.event("evt_dash_2", "refund.updated", now + 5, succeeded)));
        assertThat(first.accountId()).isEqualTo("acme");
        assertThat(first.note()).isEqualTo("refund re_dash1 succeeded");
        processor.process(TestEvents.parse(TestEvents.event("evt_dash_1", "refund.created", now, refund)));
        JsonNode shown = statusJson("acme").get("refunds");
        assertThat(shown).hasSize(1);
        assertThat(shown.get(0).get("status").asText()).isEqualTo("succeeded");
        assertThat(shown.get(0).get("invoice").isNull()).as("a Dashboard refund does not say its invoice").isTrue();
        assertThat(shown.get(0).get("amount").asLong()).isEqualTo(300);
        assertThat(cli.run("status", "--account", "acme").out()).contains("  3.00 EUR of " + intent + "  succeeded  re_dash1\n");

        // a refund of somebody else's payment, with no customer we know: not recorded, said so
        ObjectNode stranger = refund.deepCopy().put("id", "re_dash2").put("customer", "cus_nobody").put("payment_intent", "pi_nobody");
        var other = processor.process(TestEvents.parse(TestEvents.event("evt_dash_3", "refund.created", now, stranger)));
        assertThat(other.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(other.note()).isEqualTo("refund re_dash2 names no account of ours (no metadata account_id, no linked customer): not recorded");
        assertThat(statusJson("acme").get("refunds")).hasSize(1);
    }

    /** An invoice of acme's running subscription paid in two payments: 5.00, then 4.90 (their payment intents). */
    private record PaidInParts(String invoice, String older, String newer) {}

    private PaidInParts paidInParts() {
        ObjectNode sub = active("acme");
        customer = sub.get("customer").asText();
        ObjectNode invoice = fake.newInvoicePaidInParts(customer, sub.get("id").asText(), "eur", now - 86400, now + 29 * 86400, 500, 490);
        String id = invoice.get("id").asText();
        var payments = fake.invoicePayments(id);
        fake.clearRequests();
        return new PaidInParts(id, payments.get(0).at("/payment/payment_intent").asText(), payments.get(1).at("/payment/payment_intent").asText());
    }

    @Test
    void anInvoicePaidInPartsIsRefundedAcrossItsPaymentsNewestFirstNeverMoreThanPaidInTotal() throws Exception {
        PaidInParts paid = paidInParts();
        String id = paid.invoice();
        String older = paid.older();
        String newer = paid.newer();

        // more than the 9.90 paid in all: refused before any write
        CliRunner.Result over = cli.run("refund", "--account", "acme", "--invoice", id, "--amount", "9.91", "--reason", "x");
        assertThat(over.code()).isEqualTo(2);
        assertThat(over.err()).isEqualTo("billing: --amount 9.91 EUR is more than the 9.90 EUR left to refund on " + id
                + " (paid 9.90 EUR in 2 payments, refunded 0.00 EUR)\n");
        assertThat(fake.count("POST", "/v1/refunds")).isZero();

        // a dry run: the newest payment first, all of it, then the rest from the older one; nothing sent
        fake.clearRequests();
        CliRunner.Result dry = cli.run("refund", "--account", "acme", "--invoice", id, "--amount", "6", "--dry-run");
        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(dry.out()).isEqualTo("dry run: would refund 6.00 EUR of " + id + " (" + newer + ", " + older + "); nothing sent\n"
                + "  POST /v1/refunds {payment_intent=" + newer + ", amount=490, metadata[account_id]=acme, metadata[invoice]=" + id + "}\n"
                + "  cost: 4.90 EUR of " + newer + " back to the customer's payment method (paid 9.90 EUR in 2 payments, refunded 0.00 EUR;"
                + " 3.90 EUR left to refund on the invoice after)\n"
                + "  POST /v1/refunds {payment_intent=" + older + ", amount=110, metadata[account_id]=acme, metadata[invoice]=" + id + "}\n"
                + "  cost: 1.10 EUR of " + older + " back to the customer's payment method (paid 9.90 EUR in 2 payments, refunded 0.00 EUR;"
                + " 3.90 EUR left to refund on the invoice after)\n");
        assertThat(fake.count("POST", "/v1/refunds")).isZero();

        CliRunner.Result live = cli.env("STRIPE_SECRET_KEY", "sk_live_FAKE_support77").run("refund", "--account", "acme", "--invoice", id,
                "--amount", "6", "--reason", "x");
        assertThat(live.code()).as(live.toString()).isEqualTo(4);
        cli.env("STRIPE_SECRET_KEY", "sk_test_FAKE_support77");
        assertThat(fake.count("POST", "/v1/refunds")).isZero();

        // for real: two refunds, each with its own idempotency key, audited once
        fake.clearRequests();
        CliRunner.Result r = cli.run("-o", "json", "refund", "--account", "acme", "--invoice", id, "--amount", "6", "--reason", "goodwill");
        assertThat(r.code()).as(r.toString()).isZero();
        var sent = fake.writes();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).params()).isEqualTo(Map.of("payment_intent", newer, "amount", "490", "metadata", Map.of("account_id", "acme", "invoice", id)));
        assertThat(sent.get(1).params()).isEqualTo(Map.of("payment_intent", older, "amount", "110", "metadata", Map.of("account_id", "acme", "invoice", id)));
        assertThat(sent.get(0).idempotencyKey()).isNotBlank().isNotEqualTo(sent.get(1).idempotencyKey());
        JsonNode json = JSON.readTree(r.out());
        assertThat(json.get("amount").asLong()).isEqualTo(600);
        assertThat(json.get("paid").asLong()).isEqualTo(990);
        assertThat(json.get("refunds")).hasSize(2);
        assertThat(json.at("/refunds/0/payment").asText()).isEqualTo(newer);
        assertThat(json.at("/refunds/1/amount").asLong()).isEqualTo(110);
        JsonNode entries = audit("acme");
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).at("/after/amount").asLong()).isEqualTo(600);
        assertThat(entries.get(0).at("/before/amount_paid").asLong()).isEqualTo(990);
        JsonNode shown = JSON.readTree(cli.run("-o", "json", "status", "--account", "acme").out()).get("refunds");
        assertThat(shown).hasSize(2);

        // the rest: only the older payment has any left (3.90), refunded without an amount (Stripe's "all that is left")
        fake.clearRequests();
        CliRunner.Result rest = cli.run("refund", "--account", "acme", "--invoice", id, "--reason", "all of it after all");
        assertThat(rest.code()).as(rest.toString()).isZero();
        assertThat(rest.out()).startsWith("refunded 3.90 EUR (all that is left) of " + id + " (" + older + "): ");
        assertThat(fake.writes()).hasSize(1);
        assertThat(fake.writes().get(0).params()).isEqualTo(Map.of("payment_intent", older, "metadata", Map.of("account_id", "acme", "invoice", id)));
        CliRunner.Result again = cli.run("refund", "--account", "acme", "--invoice", id, "--reason", "x");
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).isEqualTo("billing: " + id + " is refunded in full already (paid 9.90 EUR in 2 payments, refunded 9.90 EUR)\n");
        assertThat(fake.refunds().stream().mapToLong(f -> f.get("amount").asLong()).sum()).as("never more than paid in total").isEqualTo(990);

        // the webhooks that follow change nothing
        EventProcessor processor = new EventProcessor(db, TestEvents.catalog(), null);
        for (ObjectNode made : fake.refunds()) {
            var e = processor.process(TestEvents.parse(TestEvents.event("evt_" + made.get("id").asText(), "refund.created",
                    made.get("created").asLong(), made)));
            assertThat(e.note()).endsWith("already recorded (succeeded changes nothing)");
        }
        assertThat(audit("acme")).hasSize(2);
    }

    @Test
    void whenStripeFailsBetweenThePaymentsOfAnInvoiceTheFirstRefundIsKeptAndTheRestIsOneCommandAway() throws Exception {
        PaidInParts paid = paidInParts();
        String id = paid.invoice();
        String older = paid.older();
        String newer = paid.newer();

        fake.dropWritesAfter(1); // the refund of the newer payment goes through; Stripe cannot be reached for the next
        CliRunner.Result r = cli.run("refund", "--account", "acme", "--invoice", id, "--amount", "6", "--reason", "goodwill");
        fake.restoreWrites();
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        String made = fake.refunds().get(0).get("id").asText();
        assertThat(r.err()).startsWith("billing: refunded 4.90 EUR of " + id + " (" + made + ", recorded and audited), then the refund of the"
                + " next payment failed: ").endsWith("; to refund the other 1.10 EUR asked for: 'billing refund --account acme --invoice " + id
                + " --amount 1.10'\n");
        assertThat(r.err().lines()).hasSize(1);
        assertThat(fake.refunds()).hasSize(1);
        assertThat(fake.refunds().get(0).get("payment_intent").asText()).isEqualTo(newer);
        JsonNode entries = audit("acme");
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).at("/after/amount").asLong()).isEqualTo(490);
        assertThat(JSON.readTree(cli.run("-o", "json", "status", "--account", "acme").out()).get("refunds")).hasSize(1);

        // what the error said: the other 1.10, from the older payment; 6.00 in all, as asked
        CliRunner.Result rest = cli.run("refund", "--account", "acme", "--invoice", id, "--amount", "1.10", "--reason", "goodwill");
        assertThat(rest.code()).as(rest.toString()).isZero();
        assertThat(fake.refunds()).hasSize(2);
        assertThat(fake.refunds().get(1).get("payment_intent").asText()).isEqualTo(older);
        assertThat(fake.refunds().stream().mapToLong(f -> f.get("amount").asLong()).sum()).isEqualTo(600);
        assertThat(audit("acme")).hasSize(2);
    }
}
