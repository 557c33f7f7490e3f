package dev.billingcli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code billing} in-process as a user would, in a working directory of the test's own. */
public final class CliRunner {
    public record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Path workingDir;
    private final Map<String, String> env = new HashMap<>();

    public CliRunner(Path workingDir) {
        this.workingDir = workingDir;
    }

    /** A working directory holding a copy of the repository's plans.yaml. */
    public static CliRunner withRepoPlans(Path dir) {
        try {
            Files.copy(Path.of("plans.yaml"), dir.resolve("plans.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CliRunner(dir);
    }

    public CliRunner env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public Path dir() {
        return workingDir;
    }

    public Result run(String... args) {
        return run(new TextWatch(), args);
    }

    /** Runs with standard error written to {@code err} as it comes, for a test waiting on a long-running command. */
    public Result run(TextWatch err, String... args) {
        StringWriter out = new StringWriter();
        int code = Main.run(args, Map.copyOf(env), workingDir, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    public Path write(String name, String content) {
        try {
            return Files.writeString(workingDir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
