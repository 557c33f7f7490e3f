package dev.billingcli.webhook.handlers;

/** {@code invoice.payment_succeeded}: the same payment as {@code invoice.paid}, handled the same way (once). */
public final class InvoicePaymentSucceededHandler extends InvoicePaidHandler {}
