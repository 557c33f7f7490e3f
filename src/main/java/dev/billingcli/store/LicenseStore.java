package dev.billingcli.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The one place that writes {@code licenses}: features switched on for one account whatever its plan. */
public final class LicenseStore {
    private final Handle h;

    LicenseStore(Handle h) {
        this.h = h;
    }

    /** @param validUntil null for no end */
    public record License(String accountId, String feature, Instant validUntil, Instant grantedAt, String grantedBy, String reason) {
       public boolean valid(Instant now) {
            return validUntil == null || now.isBefore(validUntil);
        }

        /** For the audit log. */
       public Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("feature", feature);
            m.put("valid_until", validUntil == null ? null : validUntil.toString());
            m.put("granted_by", grantedBy);
            m.put("reason", reason);
            return m;
        }
    }

    public Optional<License> find(String accountId, String feature) {
        return h.createQuery("select * from licenses where account_id = :a and feature = :f").bind("a", accountId).bind("f", feature)
                .map((rs, ctx) -> license(rs)).findOne();
    }

    /** Grants or extends; returns the license as it is now. */
    public License grant(String accountId, String feature, Instant validUntil, String grantedBy, String reason) {
        return h.createQuery("""
                insert into licenses (account_id, feature, valid_until, granted_by, reason) values (:a, :f, :u, :by, :reason)
                on conflict (account_id, feature) do update
                   set valid_until = excluded.valid_until, granted_at = now(), granted_by = excluded.granted_by, reason = excluded.reason
                returning *""")
                .bind("a", accountId).bind("f", feature).bind("u", validUntil == null ? null : OffsetDateTime.ofInstant(validUntil, ZoneOffset.UTC))
                .bind("by", grantedBy).bind("reason", reason)
                .map((rs, ctx) -> license(rs)).one();
    }

    public boolean revoke(String accountId, String feature) {
        return h.createUpdate("delete from licenses where account_id = :a and feature = :f").bind("a", accountId).bind("f", feature)
                .execute() == 1;
    }

    public List<License> of(String accountId) {
        return h.createQuery("select * from licenses where account_id = :a order by feature").bind("a", accountId)
                .map((rs, ctx) -> license(rs)).list();
    }

    private static License license(java.sql.ResultSet rs) throws java.sql.SQLException {
        OffsetDateTime until = rs.getObject("valid_until", OffsetDateTime.class);
        return new License(rs.getString("account_id"), rs.getString("feature"), until == null ? null : until.toInstant(),
                rs.getObject("granted_at", OffsetDateTime.class).toInstant(), rs.getString("granted_by"), rs.getString("reason"));
    }
}
