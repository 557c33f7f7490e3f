package dev.billingcli.webhook;

import java.util.Locale;

/** What processing an event did; stored in {@code stripe_events.outcome}. */
public enum Outcome {
    /** Its effect is in the database. */
    APPLIED,
    /** Already stored: nothing changed. Never stored as such (the first delivery's outcome stays). */
    DUPLICATE,
    /** Older than the state held: stored, not applied. */
    STALE,
    /** A type without a handler: stored only. */
    IGNORED,
    /** The handler failed: stored with the error; a redelivery or {@code events replay} tries again. */
    FAILED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
