package dev.billingcli.cli;

import dev.billingcli.ExitCode;
import dev.billingcli.doctor.Doctor;
import dev.billingcli.doctor.DoctorReport;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "doctor", description = "The production checklist: one line per check with a fix hint. Exit 0 all good, 1 otherwise.",
        footerHeading = "%nExamples:%n", footer = {"  billing doctor", "  billing -o json doctor"})
final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** {@code -o json doctor}. */
    record Json(boolean ok, List<CheckJson> checks) {}

    record CheckJson(String check, boolean ok, String detail, String hint) {}

    @Override
    public Integer call() {
        DoctorReport report = Doctor.of(Commands.app(spec)).run();
        Output out = Commands.output(spec);
        if (out.json()) {
            out.json(new Json(report.ok(), report.checks().stream()
                    .map(c -> new CheckJson(c.name(), c.ok(), c.detail(), c.hint())).toList()));
        } else {
            for (DoctorReport.Check c : report.checks()) {
                out.line((c.ok() ? out.green("✓") : out.red("✗")) + " " + c.name() + ": " + c.detail()
                        + (c.ok() ? "" : "  → " + c.hint()));
            }
        }
        return report.ok() ? ExitCode.OK : ExitCode.DIFFERENCE_OR_NOT_FOUND;
    }
}
