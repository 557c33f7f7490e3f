package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.BillingException;
import dev.billingcli.ExitCode;
import dev.billingcli.webhook.EventLog;
import dev.billingcli.webhook.EventLog.Filter;
import dev.billingcli.webhook.EventLog.StoredEvent;
import dev.billingcli.webhook.EventProcessor;
import dev.billingcli.webhook.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "events", description = "The Stripe events webhook-serve received: list, show, replay, fetch missed ones.",
        subcommands = {EventsCommand.ListCommand.class, EventsCommand.Show.class, EventsCommand.Replay.class, EventsCommand.Fetch.class},
        footerHeading = "%nExamples:%n",
        footer = {"  billing events list --outcome failed", "  billing events replay --failed", "  billing events fetch --since 24h"})
final class EventsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A stored event in JSON: {@code events list}. */
    record EventJson(String id, String type, Instant created, String account, String object, String outcome, String note,
            Instant receivedAt, Instant processedAt) {
        static EventJson of(StoredEvent e) {
            return new EventJson(e.id(), e.type(), e.created(), e.accountId(), e.objectId(), e.outcome(), e.error(), e.receivedAt(),
                    e.processedAt());
        }
    }

    /** {@code events show}: a stored event and its payload, Stripe's event as received (Stripe's own keys). */
    record EventDetail(String id, String type, Instant created, String account, String object, String outcome, String note,
            Instant receivedAt, Instant processedAt, Object payload) {
        static EventDetail of(StoredEvent e, Object payload) {
            return new EventDetail(e.id(), e.type(), e.created(), e.accountId(), e.objectId(), e.outcome(), e.error(), e.receivedAt(),
                    e.processedAt(), payload);
        }
    }

    /** What processing an event did: {@code events replay}, {@code events fetch}. */
    record ProcessedJson(String id, String type, String account, String outcome, String note) {
        static ProcessedJson of(EventProcessor.Result r) {
            return new ProcessedJson(r.eventId(), r.type(), r.accountId(), r.outcome().wire(), r.note());
        }
    }

    /** {@code -o json events fetch}. */
    record FetchJson(Instant since, int listed, int alreadyStored, List<ProcessedJson> processed) {}

    static int print(Output out, List<EventProcessor.Result> results) {
        if (out.json()) {
            out.json(results.stream().map(ProcessedJson::of).toList());
        } else {
            out.table(List.of("ID", "TYPE", "ACCOUNT", "OUTCOME", "NOTE"), results.stream()
                    .map(r -> Output.row(r.eventId(), r.type(), r.accountId(), r.outcome().wire(), r.note())).toList());
        }
        return results.stream().anyMatch(r -> r.outcome() == Outcome.FAILED) ? ExitCode.SERVICE_FAILED : ExitCode.OK;
    }

    @Command(name = "list", description = "Stored events, newest first.",
            footerHeading = "%nExamples:%n", footer = {"  billing events list --account acme", "  billing -o json events list --outcome stale"})
    static final class ListCommand implements Runnable {
        @Mixin
        AccountFilterOption account;

        @Option(names = "--type", paramLabel = "TYPE", description = "Only this event type.")
        String type;

        @Option(names = "--outcome", paramLabel = "OUTCOME", description = "applied, stale, ignored or failed.")
        String outcome;

        @Option(names = "--limit", defaultValue = "50", paramLabel = "N", description = "At most N events [default: ${DEFAULT-VALUE}].")
        int limit;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            if (outcome != null && !List.of("applied", "stale", "ignored", "failed").contains(outcome)) {
                throw BillingException.invalid("--outcome must be applied, stale, ignored or failed, got " + outcome);
            }
            if (limit < 1) {
                throw BillingException.invalid("--limit must be at least 1");
            }
            App app = Commands.app(spec);
            List<StoredEvent> events = app.eventLog().list(new Filter(account.id, type, outcome, limit));
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(events.stream().map(EventJson::of).toList());
            } else if (events.isEmpty()) {
                out.line("No events" + (account.id != null || type != null || outcome != null ? " match." : " stored yet."));
            } else {
                out.table(List.of("ID", "TYPE", "CREATED", "ACCOUNT", "OUTCOME", "NOTE"), events.stream()
                        .map(e -> Output.row(e.id(), e.type(), e.created(), e.accountId(), e.outcome(), e.error())).toList());
            }
        }
    }

    @Command(name = "show", description = "One stored event: its outcome and payload.",
            footerHeading = "%nExamples:%n", footer = "  billing events show evt_1Q…")
    static final class Show implements Runnable {
        @Parameters(paramLabel = "ID")
        String id;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            App app = Commands.app(spec);
            StoredEvent e = app.eventLog().find(id)
                    .orElseThrow(() -> BillingException.notFound("no stored event " + id + " (see billing events list)"));
            Output out = Commands.output(spec);
            Object payload;
            try {
                payload = new com.fasterxml.jackson.databind.ObjectMapper().readValue(e.payload(), Object.class);
            } catch (java.io.IOException ex) {
                payload = e.payload();
            }
            if (out.json()) {
                out.json(EventDetail.of(e, payload));
            } else {
                Object[][] fields = {{"id", e.id()}, {"type", e.type()}, {"created", e.created()}, {"account", e.accountId()},
                    {"object", e.objectId()}, {"outcome", e.outcome()}, {"note", e.error()}, {"received at", e.receivedAt()},
                    {"processed at", e.processedAt()}};
                for (Object[] f : fields) {
                    out.line(String.format("%-13s %s", f[0] + ":", f[1] == null ? "" : f[1]));
                }
                out.line("payload:");
                out.json(payload);
            }
        }
    }

    @Command(name = "replay", description = "Apply stored events again, through the same handlers and ordering rule.",
            footerHeading = "%nExamples:%n", footer = {"  billing events replay evt_1 evt_2", "  billing events replay --failed"})
    static final class Replay implements Callable<Integer> {
        @Parameters(paramLabel = "ID", arity = "0..*")
        List<String> ids = new ArrayList<>();

        @Option(names = "--failed", description = "Every event whose processing failed.")
        boolean failed;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (failed == !ids.isEmpty()) {
                throw BillingException.invalid("give event ids or --failed");
            }
            App app = Commands.app(spec);
            EventLog log = app.eventLog();
            List<EventProcessor.Result> results = failed ? log.replayFailed() : log.replay(ids);
            Output out = Commands.output(spec);
            if (results.isEmpty() && !out.json()) {
                out.line("No failed events.");
                return ExitCode.OK;
            }
            return print(out, results);
        }
    }

    @Command(name = "fetch",
            description = {"Pull the handled events of a recent window from Stripe and process the ones not stored yet.",
                "Repairs a downtime of webhook-serve; Stripe's /v1/events keeps 30 days. Needs a Stripe key."},
            footerHeading = "%nExamples:%n", footer = {"  billing events fetch --since 24h", "  billing events fetch --since 3d"})
    static final class Fetch implements Callable<Integer> {
        @Option(names = "--since", defaultValue = "24h", paramLabel = "WHEN",
                description = "How far back: 90m, 24h, 7d, or a date or time (at most 30 days ago) [default: ${DEFAULT-VALUE}].")
        String since;

        @Mixin
        RateOption rate;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Instant now = Instant.now();
            Instant from = TimeArgs.since("--since", since, now);
            App app = Commands.app(spec);
            rate.applyTo(app);
            EventLog.FetchReport report = app.eventLogWithStripe().fetch(from, now);
            Output out = Commands.output(spec);
            List<EventProcessor.Result> fresh = report.results().stream().filter(r -> r.outcome() != Outcome.DUPLICATE).toList();
            if (out.json()) {
                out.json(new FetchJson(report.since(), report.listed(), report.listed() - fresh.size(),
                        fresh.stream().map(ProcessedJson::of).toList()));
                return fresh.stream().anyMatch(x -> x.outcome() == Outcome.FAILED) ? ExitCode.SERVICE_FAILED : ExitCode.OK;
            }
            out.line(summary(report));
            return fresh.isEmpty() ? ExitCode.OK : print(out, fresh);
        }

        /**
         * "Stripe listed 3 event(s) since …; 1 already stored, 2 processed now (1 applied, 1 ignored)." The
         * counts come from what was listed and what processing did, not from the types asked for: a
         * stand-in (or an API change) may answer with other types, and those are then "ignored", not "handled".
         */
        static String summary(EventLog.FetchReport report) {
            List<EventProcessor.Result> fresh = report.results().stream().filter(r -> r.outcome() != Outcome.DUPLICATE).toList();
            Map<Outcome, Long> byOutcome = new java.util.EnumMap<>(Outcome.class);
            fresh.forEach(r -> byOutcome.merge(r.outcome(), 1L, Long::sum));
            String outcomes = byOutcome.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().wire())
                    .collect(java.util.stream.Collectors.joining(", "));
            return "Stripe listed " + report.listed() + " event(s) since " + report.since() + "; "
                    + (report.listed() - fresh.size()) + " already stored, " + fresh.size() + " processed now"
                    + (outcomes.isEmpty() ? "" : " (" + outcomes + ")") + ".";
        }
    }
}
