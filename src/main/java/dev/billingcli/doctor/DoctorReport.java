package dev.billingcli.doctor;

import java.util.List;

/** The production checklist's answer: one {@link Check} per item, in the order they were run. */
public record DoctorReport(List<Check> checks) {
    public DoctorReport {
        checks = List.copyOf(checks);
    }

    /** @param hint what to do about a failing check; null when it passed */
    public record Check(String name, boolean ok, String detail, String hint) {
        static Check pass(String name, String detail) {
            return new Check(name, true, detail, null);
        }

        static Check of(String name, boolean ok, String detail, String hint) {
            return new Check(name, ok, detail, ok ? null : hint);
        }
    }

    public boolean ok() {
        return checks.stream().allMatch(Check::ok);
    }
}
