package dev.billingcli.stripe;

import com.stripe.model.Invoice;
import com.stripe.model.InvoicePayment;
import com.stripe.model.Refund;
import com.stripe.model.StripeCollection;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.InvoicePaymentListParams;
import com.stripe.param.InvoiceRetrieveParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.RefundListParams;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Invoices, their payments and refunds, for {@code refund}, in our own records. At the pinned API version an
 * invoice no longer names a {@code charge} or {@code payment_intent} (removed in 2025-03-31.basil, which added
 * multiple, partial payments per invoice:
 * https://docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices);
 * its payments are listed under it ({@code GET /v1/invoice_payments?invoice=in_…}), each naming its
 * {@code payment.payment_intent} (or, for a charge without one, {@code payment.charge}).
 */
public final class RefundGateway {
    private final StripeAccess stripe;

    public RefundGateway(StripeAccess stripe) {
        this.stripe = stripe;
    }

    /** An invoice as Stripe holds it; amounts in minor units of {@code currency}. */
    public record StripeInvoice(String id, String customer, String status, String currency, long amountPaid, String billingReason,
            Long periodEnd) {}

    /** One payment of an invoice: a payment intent's, or a charge's without one. @param status open, paid or canceled */
    public record StripeInvoicePayment(String id, String status, long amountPaid, String currency, String paymentIntent, String charge,
            long created) {
        /** What a refund of it names: the payment intent, or the charge of a payment without one. */
        public String payment() {
            return paymentIntent != null ? paymentIntent : charge;
        }
    }

    /** A refund as Stripe answered it. @param created when Stripe made it */
    public record StripeRefund(String id, long amount, String currency, String status, java.time.Instant created) {}

    /** One invoice by id; empty when Stripe has none by that id (404). */
    public Optional<StripeInvoice> invoice(String id) {
        Invoice i = stripe.call("read invoice " + id, () -> {
            try {
                return stripe.client().v1().invoices().retrieve(id, InvoiceRetrieveParams.builder().build());
            } catch (com.stripe.exception.InvalidRequestException e) {
                if (Integer.valueOf(404).equals(e.getStatusCode())) {
                    return null;
                }
                throw e;
            }
        });
        return Optional.ofNullable(i).map(RefundGateway::invoice);
    }

    /** The customer's newest paid invoice ({@code GET /v1/invoices?customer=…&status=paid&limit=1}; Stripe lists newest first). */
    public Optional<StripeInvoice> newestPaidInvoice(String customer) {
        InvoiceListParams params = InvoiceListParams.builder().setCustomer(customer).setStatus(InvoiceListParams.Status.PAID).setLimit(1L).build();
        StripeCollection<Invoice> page = stripe.call("list the paid invoices of " + customer, () -> stripe.client().v1().invoices().list(params));
        return page.getData().stream().findFirst().map(RefundGateway::invoice);
    }

    /** The invoice's payments, up to 100 (an invoice is paid once, or in a few partial payments). */
    public List<StripeInvoicePayment> payments(String invoiceId) {
        InvoicePaymentListParams params = InvoicePaymentListParams.builder().setInvoice(invoiceId).setLimit(100L).build();
        StripeCollection<InvoicePayment> page = stripe.call("list the payments of invoice " + invoiceId,
                () -> stripe.client().v1().invoicePayments().list(params));
        return page.getData().stream().map(p -> new StripeInvoicePayment(p.getId(), p.getStatus(),
                p.getAmountPaid() == null ? 0 : p.getAmountPaid(), p.getCurrency(),
                p.getPayment() == null ? null : p.getPayment().getPaymentIntent(), p.getPayment() == null ? null : p.getPayment().getCharge(),
                p.getCreated() == null ? 0 : p.getCreated()))
                .toList();
    }

    /** What was refunded of a payment already: its refunds that succeeded or may still (pending, requires_action), up to 100. */
    public long refunded(StripeInvoicePayment payment) {
        RefundListParams.Builder b = RefundListParams.builder().setLimit(100L);
        if (payment.paymentIntent() != null) {
            b.setPaymentIntent(payment.paymentIntent());
        } else {
            b.setCharge(payment.charge());
        }
        RefundListParams params = b.build();
        StripeCollection<Refund> page = stripe.call("list the refunds of " + (payment.paymentIntent() != null ? payment.paymentIntent()
                : payment.charge()), () -> stripe.client().v1().refunds().list(params));
        return page.getData().stream().filter(r -> !"failed".equals(r.getStatus()) && !"canceled".equals(r.getStatus()))
                .mapToLong(r -> r.getAmount() == null ? 0 : r.getAmount()).sum();
    }

    /**
     * The form fields of {@link #refund}, for a dry run to show exactly what would go out.
     *
     * @param amount minor units, or null for what is left of the payment (Stripe's default)
     */
    public static Map<String, String> refundFields(StripeInvoicePayment payment, Long amount, Map<String, String> metadata) {
        Map<String, String> f = new LinkedHashMap<>();
        if (payment.paymentIntent() != null) {
            f.put("payment_intent", payment.paymentIntent());
        } else {
            f.put("charge", payment.charge());
        }
        if (amount != null) {
            f.put("amount", Long.toString(amount));
        }
        metadata.forEach((k, v) -> f.put("metadata[" + k + "]", v));
        return f;
    }

    /** Refunds a payment ({@code POST /v1/refunds}), all that is left of it or {@code amount}; one write, its own idempotency key. */
    public StripeRefund refund(StripeInvoicePayment payment, Long amount, Map<String, String> metadata) {
        RefundCreateParams.Builder b = RefundCreateParams.builder().putAllMetadata(metadata);
        if (payment.paymentIntent() != null) {
            b.setPaymentIntent(payment.paymentIntent());
        } else {
            b.setCharge(payment.charge());
        }
        if (amount != null) {
            b.setAmount(amount);
        }
        RefundCreateParams params = b.build();
        Refund r = stripe.call("refund " + (payment.paymentIntent() != null ? payment.paymentIntent() : payment.charge()),
                () -> stripe.client().v1().refunds().create(params, stripe.write()));
        return new StripeRefund(r.getId(), r.getAmount() == null ? 0 : r.getAmount(), r.getCurrency(), r.getStatus(),
                r.getCreated() == null ? java.time.Instant.now() : java.time.Instant.ofEpochSecond(r.getCreated()));
    }

    static StripeInvoice invoice(Invoice i) {
        return new StripeInvoice(i.getId(), i.getCustomer(), i.getStatus(), i.getCurrency(), i.getAmountPaid() == null ? 0 : i.getAmountPaid(),
                i.getBillingReason(), i.getPeriodEnd());
    }
}
