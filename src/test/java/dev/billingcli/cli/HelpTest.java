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

    /** Paths and URLs in the help (defaults, examples) are whole on one line, whatever the wrapping. */
    @ParameterizedTest
    @MethodSource("commands")
    void noPathOrUrlIsCutInTwo(String command) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add("--help");
        String help = new CliRunner(dir).run(args.toArray(String[]::new)).out();
        CommandLine cl = BillingCommand.commandLine(Map.of(), Path.of("."), new PrintWriter(Writer.nullWriter()),
                new PrintWriter(Writer.nullWriter()), null);
        for (String word : command.split(" ")) {
            cl = cl.getSubcommands().get(word);
        }
        List<String> texts = new ArrayList<>(List.of(cl.getCommandSpec().usageMessage().footer()));
        cl.getCommandSpec().options().stream().filter(o -> !o.hidden()).forEach(o -> texts.addAll(List.of(o.description())));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:\\./|https?://|jdbc:)[^\\s\\]\\[,;]+")
                .matcher(String.join(" ", texts));
        int found = 0;
        while (m.find()) {
            String token = m.group().replaceAll("[.]$", "");
            assertThat(help).as(command + ": " + token).contains(token);
            found++;
        }
        if (command.equals("webhook trigger")) {
            assertThat(found).as("the check sees the --url default and the examples").isGreaterThanOrEqualTo(2);
        }
    }

    @org.junit.jupiter.api.Test
    void everySummaryInACommandListIsASentence() {
        CommandLine all = BillingCommand.commandLine(Map.of(), Path.of("."), new PrintWriter(Writer.nullWriter()),
                new PrintWriter(Writer.nullWriter()), null);
        List<String> names = new ArrayList<>();
        collect(all, "", names);
        for (String name : names) {
            CommandLine cl = all;
            for (String word : name.split(" ")) {
                cl = cl.getSubcommands().get(word);
            }
            // a parent's command list shows the first description line only
            assertThat(cl.getCommandSpec().usageMessage().description()[0]).as(name).matches("(?s).*[.)]$");
        }
    }

    @org.junit.jupiter.api.Test
    void theStripeApiBaseOptionOfTheReadmeIsShown() {
        assertThat(new CliRunner(dir).run("--help").out()).contains("--stripe-api-base=URL");
    }
}
