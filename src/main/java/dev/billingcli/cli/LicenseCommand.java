package dev.billingcli.cli;

import dev.billingcli.ExitCode;
import dev.billingcli.support.LicenseService;
import dev.billingcli.support.LicenseService.License;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "license", description = "Features switched on for one account whatever its plan (status shows them with the plan's limits).",
        subcommands = {LicenseCommand.Grant.class, LicenseCommand.Revoke.class, LicenseCommand.ListLicenses.class},
        footerHeading = "%nExamples:%n",
        footer = {"  billing license grant --account acme --feature sso --until 2026-12-31 --reason \"pilot\"",
                "  billing license list --account acme", "  billing license revoke --account acme --feature sso"})
final class LicenseCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static LicenseService service(CommandSpec spec) {
        return Commands.app(spec).licenseService();
    }

    @Command(name = "grant", description = "Switch a feature on for one account, until a date or for good. Recorded in the audit log.",
            footerHeading = "%nExamples:%n", footer = {"  billing license grant --account acme --feature sso --until 2026-12-31 --reason \"pilot\""})
    static final class Grant implements Callable<Integer> {
        @Mixin
        AccountOption account;

        @Option(names = "--feature", required = true, paramLabel = "F", description = "The feature, e.g. sso, audit_logs, extra_seats.")
        String feature;

        @Option(names = "--until", paramLabel = "DATE", description = "Last day of validity (2026-12-31) or an ISO time; none for no end.")
        String until;

        @Mixin
        ReasonOption reason;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Instant validUntil = until == null ? null : TimeArgs.until("--until", until);
            License granted = service(spec).grant(account.id, feature, validUntil, reason.text);
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(LicenseJson.of(granted, Instant.now()));
            } else {
                out.line("Granted " + feature + " to " + account.id + (validUntil == null ? " with no end" : " until " + granted.validUntil()) + ".");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "revoke", description = "Switch a feature off for one account. Recorded in the audit log; exit 1 if it was not granted.",
            footerHeading = "%nExamples:%n", footer = {"  billing license revoke --account acme --feature sso --reason \"pilot over\""})
    static final class Revoke implements Callable<Integer> {
        @Mixin
        AccountOption account;

        @Option(names = "--feature", required = true, paramLabel = "F", description = "The feature to switch off.")
        String feature;

        @Mixin
        ReasonOption reason;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            boolean revoked = service(spec).revoke(account.id, feature, reason.text);
            Output out = Commands.output(spec);
            if (out.json()) {
                out.json(new Revoked(account.id, feature, revoked));
            } else {
                out.line(revoked ? "Revoked " + feature + " from " + account.id + "." : account.id + " has no " + feature + " licence.");
            }
            return revoked ? ExitCode.OK : ExitCode.DIFFERENCE_OR_NOT_FOUND;
        }
    }

    @Command(name = "list", description = "The account's licences, with their end dates.",
            footerHeading = "%nExamples:%n", footer = {"  billing license list --account acme", "  billing -o json license list --account acme"})
    static final class ListLicenses implements Callable<Integer> {
        @Mixin
        AccountOption account;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<License> licenses = service(spec).licenses(account.id);
            Output out = Commands.output(spec);
            if (out.json()) {
                Instant now = Instant.now();
                out.json(new Licenses(account.id, licenses.stream().map(l -> LicenseJson.of(l, now)).toList()));
                return ExitCode.OK;
            }
            if (licenses.isEmpty()) {
                out.line(account.id + " has no licences.");
                return ExitCode.OK;
            }
            Instant now = Instant.now();
            List<List<String>> rows = new ArrayList<>();
            for (License l : licenses) {
                rows.add(List.of(l.feature(), l.validUntil() == null ? "no end" : l.validUntil().toString(),
                        l.valid(now) ? "valid" : "expired", l.grantedBy(), l.reason() == null ? "" : l.reason()));
            }
            out.table(List.of("FEATURE", "UNTIL", "STATE", "GRANTED BY", "REASON"), rows);
            return ExitCode.OK;
        }
    }

    /** A licence in JSON: {@code license grant}, {@code license list}, and {@code status}'s {@code licenses}. */
    record LicenseJson(String account, String feature, Instant validUntil, boolean valid, Instant grantedAt, String grantedBy,
            String reason) {
        static LicenseJson of(License l, Instant now) {
            return new LicenseJson(l.accountId(), l.feature(), l.validUntil(), l.valid(now), l.grantedAt(), l.grantedBy(), l.reason());
        }
    }

    /** {@code -o json license revoke}. */
    record Revoked(String account, String feature, boolean revoked) {}

    /** {@code -o json license list}. */
    record Licenses(String account, List<LicenseJson> licenses) {}
}
