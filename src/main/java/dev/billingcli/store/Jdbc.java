package dev.billingcli.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.jdbi.v3.core.Handle;

/**
 * Plain JDBC on a {@link Tx}'s own connection (its Jdbi handle's, so the same transaction), for the few
 * statements every webhook delivery runs: Jdbi's per-statement work (a configuration copy, an argument
 * factory looked up per bound value) was about 40% of webhook-serve's CPU (bench/README-webhook.md).
 * pgjdbc keeps each SQL text server-side prepared per connection once it ran a few times.
 */
final class Jdbc {
    private Jdbc() {}

    static PreparedStatement prepare(Handle h, String sql) {
        try {
            return h.getConnection().prepareStatement(sql);
        } catch (SQLException e) {
            throw new Failed(e);
        }
    }

    /** A statement failed; the SQLException (its SQLSTATE: unavailable, retryable) is the cause. */
    static final class Failed extends RuntimeException {
        Failed(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
