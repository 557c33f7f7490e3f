package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.ExitCode;
import dev.billingcli.store.AuditLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "audit", description = "Every write made by the support commands: when, who (BILLING_ACTOR or the OS user), command, "
        + "account, reason, before and after. Newest first.",
        footerHeading = "%nExamples:%n",
        footer = {"  billing audit --account acme", "  billing audit --since 7d", "  billing -o json audit --since 2026-11-01"})
final class AuditCommand implements Callable<Integer> {
    @Option(names = "--account", paramLabel = "ID", description = "Only this account.")
    String account;

    @Option(names = "--since", paramLabel = "WHEN", description = "A date (2026-11-01), an ISO time, or a span back from now (24h, 7d).")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N entries [default: 100].")
    int limit;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw dev.billingcli.BillingException.invalid("--limit must be at least 1");
        }
        Instant from = since == null ? null : TimeArgs.since("--since", since, Instant.now());
        App app = Commands.app(spec);
        List<AuditLog.Entry> entries = new dev.billingcli.support.LicenseService(app.database(),
                AuditLog.actor(app.settings().env("BILLING_ACTOR"))).audit(account, from, limit);
        Output out = Commands.output(spec);
        if (out.json()) {
            List<Object> rows = new ArrayList<>();
            for (AuditLog.Entry e : entries) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("at", e.at().toString());
                r.put("actor", e.actor());
                r.put("command", e.command());
                r.put("account", e.accountId());
                r.put("reason", e.reason());
                r.put("before", e.before());
                r.put("after", e.after());
                rows.add(r);
            }
            out.json(Map.of("entries", rows));
            return ExitCode.OK;
        }
        if (entries.isEmpty()) {
            out.line("No audit entries" + (account != null ? " for " + account : "") + (since != null ? " since " + since : "") + ".");
            return ExitCode.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        for (AuditLog.Entry e : entries) {
            rows.add(List.of(e.at().toString(), e.actor(), e.command(), e.accountId() == null ? "" : e.accountId(),
                    e.reason() == null ? "" : e.reason(), compact(e.before()) + " → " + compact(e.after())));
        }
        out.table(List.of("AT", "ACTOR", "COMMAND", "ACCOUNT", "REASON", "BEFORE → AFTER"), rows);
        return ExitCode.OK;
    }

    private static String compact(com.fasterxml.jackson.databind.JsonNode node) {
        return node == null || node.isNull() ? "–" : node.toString();
    }
}
