package dev.billingcli.webhook.handlers;

/**
 * {@code refund.updated}: the same as {@code refund.created} (the refund's new status, e.g. pending → succeeded, or a
 * succeeded refund that failed); an update older than the status held changes nothing (store/RefundStore).
 */
public final class RefundUpdatedHandler extends RefundCreatedHandler {}
