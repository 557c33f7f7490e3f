package dev.billingcli.support;

import dev.billingcli.BillingException;
import dev.billingcli.store.Database;
import dev.billingcli.store.LicenseStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Licences (features for one account whatever its plan), for {@code license}; each write audited in its transaction. */
public final class LicenseService {
    private final Database database;
    private final String actor;

    public LicenseService(Database database, String actor) {
        this.database = database;
        this.actor = actor;
    }

    /** A licence as {@code license} and {@code status} show it. @param validUntil null for no end */
    public record License(String accountId, String feature, Instant validUntil, Instant grantedAt, String grantedBy, String reason) {
        public boolean valid(Instant now) {
            return validUntil == null || now.isBefore(validUntil);
        }

        static License of(LicenseStore.License row) {
            return new License(row.accountId(), row.feature(), row.validUntil(), row.grantedAt(), row.grantedBy(), row.reason());
        }
    }

    /** Grants or extends; the licence and its audit row in one transaction. @param validUntil null for no end */
    public License grant(String accountId, String feature, Instant validUntil, String reason) {
        if (!feature.matches("[a-z0-9_.:-]+")) {
            throw BillingException.invalid("--feature: \"" + feature + "\" is not a feature name (lowercase letters, digits, _ . : -)");
        }
        return database.inTransaction(tx -> {
            tx.accounts().require(accountId);
            var before = tx.licenses().find(accountId, feature).map(LicenseStore.License::asMap).orElse(null);
            LicenseStore.License now = tx.licenses().grant(accountId, feature, validUntil, actor, reason);
            tx.audit().record(actor, "license grant", accountId, reason, before, now.asMap());
            return License.of(now);
        });
    }

    /** @return false (and nothing written) when the account had no such licence */
    public boolean revoke(String accountId, String feature, String reason) {
        return database.inTransaction(tx -> {
            tx.accounts().require(accountId);
            Optional<LicenseStore.License> before = tx.licenses().find(accountId, feature);
            if (before.isEmpty()) {
                return false;
            }
            tx.licenses().revoke(accountId, feature);
            tx.audit().record(actor, "license revoke", accountId, reason, before.get().asMap(), null);
            return true;
        });
    }

    public List<License> licenses(String accountId) {
        return database.inTransaction(tx -> {
            tx.accounts().require(accountId);
            return tx.licenses().of(accountId).stream().map(License::of).toList();
        });
    }
}
