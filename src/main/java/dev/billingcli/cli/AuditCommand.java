package dev.billingcli.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billingcli.ExitCode;
import dev.billingcli.support.AuditService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "audit", description = "Every write made by the support commands: when, who (BILLING_ACTOR or the OS user), command, "
        + "account, reason, before and after. Newest first.",
        footerHeading = "%nExamples:%n",
        footer = {"  billing audit --account acme", "  billing audit --since 7d", "  billing -o json audit --since 2026-11-01"})
final class AuditCommand implements Callable<Integer> {
    @Mixin
    AccountFilterOption account;

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
        List<AuditService.Entry> entries = Commands.app(spec).auditService().entries(account.id, from, limit);
        Output out = Commands.output(spec);
        if (out.json()) {
            out.json(new Json(entries.stream().map(Entry::of).toList()));
            return ExitCode.OK;
        }
        if (entries.isEmpty()) {
            out.line("No audit entries" + (account.id != null ? " for " + account.id : "") + (since != null ? " since " + since : "") + ".");
            return ExitCode.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        for (AuditService.Entry e : entries) {
            rows.add(List.of(e.at().toString(), e.actor(), e.command(), e.accountId() == null ? "" : e.accountId(),
                    e.reason() == null ? "" : e.reason(), compact(e.before()) + " → " + compact(e.after())));
        }
        out.table(List.of("AT", "ACTOR", "COMMAND", "ACCOUNT", "REASON", "BEFORE → AFTER"), rows);
        return ExitCode.OK;
    }

    /** {@code -o json audit}. */
    record Json(List<Entry> entries) {}

    /** One audit row; {@code before} and {@code after} are the snapshots as recorded at the time, verbatim. */
    record Entry(Instant at, String actor, String command, String account, String reason, JsonNode before, JsonNode after) {
        static Entry of(AuditService.Entry e) {
            return new Entry(e.at(), e.actor(), e.command(), e.accountId(), e.reason(), e.before(), e.after());
        }
    }

    private static String compact(JsonNode node) {
        return node == null || node.isNull() ? "–" : node.toString();
    }
}
