package dev.billingcli.support;

import dev.billingcli.store.AuditLog;
import dev.billingcli.store.Database;
import java.time.Instant;
import java.util.List;

/** Reads the audit log for {@code audit}: every write the support commands made, newest first. */
public final class AuditService {
    private final Database database;

    public AuditService(Database database) {
        this.database = database;
    }

    /** Newest first. @param accountId null for all; @param since null for all time */
    public List<AuditLog.Entry> entries(String accountId, Instant since, int limit) {
        return database.read(tx -> tx.audit().list(accountId, since, limit));
    }
}
