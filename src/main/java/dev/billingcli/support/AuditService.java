package dev.billingcli.support;

import dev.billingcli.store.AuditLog;
import dev.billingcli.store.Database;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/** Reads the audit log for {@code audit}: every write the support commands made, newest first. */
public final class AuditService {
    private final Database database;

    public AuditService(Database database) {
        this.database = database;
    }

    /** One write: {@code before} and {@code after} are the snapshots as recorded at the time, verbatim. */
    public record Entry(Instant at, String actor, String command, String accountId, String reason, JsonNode before, JsonNode after) {
        static Entry of(AuditLog.Entry row) {
            return new Entry(row.at(), row.actor(), row.command(), row.accountId(), row.reason(), row.before(), row.after());
        }
    }

    /** Newest first. @param accountId null for all; @param since null for all time */
    public List<Entry> entries(String accountId, Instant since, int limit) {
        return database.read(tx -> tx.audit().list(accountId, since, limit)).stream().map(Entry::of).toList();
    }
}
