package dev.billingcli.support;

import dev.billingcli.BillingException;
import dev.billingcli.store.AccountStore;
import dev.billingcli.store.AuditLog;
import dev.billingcli.store.Database;
import dev.billingcli.store.LicenseStore;
import dev.billingcli.store.LicenseStore.License;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Licences (features for one account whatever its plan) and the audit log, for {@code license} and {@code audit}. */
public final class LicenseService {
    private final Database database;
    private final String actor;

    public LicenseService(Database database, String actor) {
        this.database = database;
        this.actor = actor;
    }

    /** Exit 2 for an account the database does not know: a typo must not create a licence nobody has. */
    private static void requireAccount(Handle h, String accountId) {
        if (!AccountStore.exists(h, accountId)) {
            throw BillingException.invalid("unknown account " + accountId + " (accounts come from checkout, webhooks or sync)");
        }
    }

    /** Grants or extends; the licence and its audit row in one transaction. @param validUntil null for no end */
    public License grant(String accountId, String feature, Instant validUntil, String reason) {
        if (!feature.matches("[a-z0-9_.:-]+")) {
            throw BillingException.invalid("--feature: \"" + feature + "\" is not a feature name (lowercase letters, digits, _ . : -)");
        }
        return database.jdbi().inTransaction(h -> {
            requireAccount(h, accountId);
            var before = LicenseStore.find(h, accountId, feature).map(License::asMap).orElse(null);
            License now = LicenseStore.grant(h, accountId, feature, validUntil, actor, reason);
            AuditLog.record(h, actor, "license grant", accountId, reason, before, now.asMap());
            return now;
        });
    }

    /** @return false (and nothing written) when the account had no such licence */
    public boolean revoke(String accountId, String feature, String reason) {
        return database.jdbi().inTransaction(h -> {
            requireAccount(h, accountId);
            Optional<License> before = LicenseStore.find(h, accountId, feature);
            if (before.isEmpty()) {
                return false;
            }
            LicenseStore.revoke(h, accountId, feature);
            AuditLog.record(h, actor, "license revoke", accountId, reason, before.get().asMap(), null);
            return true;
        });
    }

    public List<License> licenses(String accountId) {
        return database.jdbi().inTransaction(h -> {
            requireAccount(h, accountId);
            return LicenseStore.of(h, accountId);
        });
    }

    /** Newest first. @param accountId null for all; @param since null for all time */
    public List<AuditLog.Entry> audit(String accountId, Instant since, int limit) {
        return database.jdbi().withHandle(h -> AuditLog.list(h, accountId, since, limit));
    }
}
