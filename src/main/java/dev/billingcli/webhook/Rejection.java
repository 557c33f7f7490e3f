package dev.billingcli.webhook;

/** A request refused before anything is stored, with the HTTP status it answers and why (one line). */
public final class Rejection extends Exception {
    private final int status;

    public Rejection(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
