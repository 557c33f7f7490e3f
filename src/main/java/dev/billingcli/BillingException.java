package dev.billingcli;

/**
 * The one exception the core throws for anything a user should see: a message of one clear line
 * (no secrets in it) and the exit code it maps to. The root command prints the message; the cause's
 * stack trace is shown only with {@code -v}.
 */
public class BillingException extends RuntimeException {
    private final int exitCode;

    public BillingException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public BillingException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    public static BillingException invalid(String message) {
        return new BillingException(ExitCode.INVALID_INPUT, message);
    }

    public static BillingException notFound(String message) {
        return new BillingException(ExitCode.DIFFERENCE_OR_NOT_FOUND, message);
    }

    public static BillingException serviceFailed(String message, Throwable cause) {
        return new BillingException(ExitCode.SERVICE_FAILED, message, cause);
    }

    public static BillingException refused(String message) {
        return new BillingException(ExitCode.REFUSED, message);
    }
}
