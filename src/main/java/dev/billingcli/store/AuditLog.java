package dev.billingcli.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The one place that writes {@code audit_log}: every write the support commands make, with who, why,
 * and the state before and after. Written in the same transaction as the change it describes.
 */
public final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Handle h;

    AuditLog(Handle h) {
        this.h = h;
    }

    public record Entry(long id, Instant at, String actor, String command, String accountId, String reason, JsonNode before,
            JsonNode after) {}

    /** Who is acting: {@code BILLING_ACTOR} when set (a support tool, a CI job), else the OS user. */
    public static String actor(String billingActor) {
        return billingActor != null && !billingActor.isBlank() ? billingActor : System.getProperty("user.name", "unknown");
    }

    public void record(String actor, String command, String accountId, String reason, Object before, Object after) {
        h.createUpdate("""
                insert into audit_log (actor, command, account_id, reason, before, after)
                values (:actor, :command, :account, :reason, cast(:before as jsonb), cast(:after as jsonb))""")
                .bind("actor", actor).bind("command", command).bind("account", accountId).bind("reason", reason)
                .bind("before", json(before)).bind("after", json(after)).execute();
    }

    /** Newest first. @param accountId null for every account; @param since null for all time */
    public List<Entry> list(String accountId, Instant since, int limit) {
        return h.createQuery("""
                select id, at, actor, command, account_id, reason, before::text as before, after::text as after
                  from audit_log
                 where (cast(:account as text) is null or account_id = :account)
                   and (cast(:since as timestamptz) is null or at >= :since)
                 order by at desc, id desc
                 limit :limit""")
                .bind("account", accountId).bind("since", since == null ? null : OffsetDateTime.ofInstant(since, java.time.ZoneOffset.UTC))
                .bind("limit", limit)
                .map((rs, ctx) -> new Entry(rs.getLong("id"), rs.getObject("at", OffsetDateTime.class).toInstant(), rs.getString("actor"),
                        rs.getString("command"), rs.getString("account_id"), rs.getString("reason"), tree(rs.getString("before")),
                        tree(rs.getString("after"))))
                .list();
    }

    private static String json(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JsonNode tree(String json) {
        try {
            return json == null ? null : JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
