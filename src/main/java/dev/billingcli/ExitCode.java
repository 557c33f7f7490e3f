package dev.billingcli;

import java.util.List;

/** The one table of exit codes. Shown in every {@code --help}, in the README, and mapped once in {@link Main}. */
public final class ExitCode {
    public static final int OK = 0;
    /** A check found a difference, or the thing asked for does not exist. */
    public static final int DIFFERENCE_OR_NOT_FOUND = 1;
    /** Usage or invalid input: bad flag, bad plans.yaml, unknown plan or account. */
    public static final int INVALID_INPUT = 2;
    /** An outside service failed: Stripe, the database. */
    public static final int SERVICE_FAILED = 3;
    /** Refused for safety: a live key without --live, … */
    public static final int REFUSED = 4;
    /** Interrupted by Ctrl-C (128 + SIGINT, as shells report it); inside {@code billing shell} the prompt shows it. */
    public static final int INTERRUPTED = 130;

    public record Entry(int code, String meaning) {}

    public static final List<Entry> TABLE = List.of(
            new Entry(OK, "ok"),
            new Entry(DIFFERENCE_OR_NOT_FOUND, "a check found a difference, or the thing asked for does not exist"),
            new Entry(INVALID_INPUT, "usage or invalid input (bad flag, bad plans.yaml, unknown plan or account)"),
            new Entry(SERVICE_FAILED, "an outside service failed (Stripe, database)"),
            new Entry(REFUSED, "refused for safety (live key without --live, …)"),
            new Entry(INTERRUPTED, "interrupted (Ctrl-C)"));

    private ExitCode() {}
}
