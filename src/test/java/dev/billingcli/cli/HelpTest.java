package dev.billingcli.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.CliRunner;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every command's --help: a description, its options, at least one example, the exit codes. */
class HelpTest {
    @TempDir
    static Path dir;

    static Stream<String> commands() {
        CommandLine all = BillingCommand.commandLine(Map.of(), Path.of("."), new PrintWriter(Writer.nullWriter()),
                new PrintWriter(Writer.nullWriter()), null);
        List<String> names = new ArrayList<>();
        collect(all, "", names);
        return names.stream();
    }

    private static void collect(CommandLine cl, String prefix, List<String> names) {
        cl.getSubcommands().forEach((name, sub) -> {
            String full = (prefix + " " + name).trim();
            names.add(full);
            collect(sub, full, names);
        });
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandHasADescriptionOptionsAndAnExample(String command) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add("--help");
        CliRunner.Result r = new CliRunner(dir).run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.toString()).isZero();
        String help = r.out();
        assertThat(help).as(command).startsWith("Usage: billing " + command);
        assertThat(help.lines().skip(1).filter(l -> !l.isBlank()).findFirst().orElse("")).as(command + ": description").isNotBlank();
        assertThat(help).as(command).contains("--help", "Examples:", "Exit codes:");
        assertThat(help.substring(help.indexOf("Examples:"))).as(command + ": an example of itself")
                .contains("billing " + command.split(" ")[0]);
    }
}
