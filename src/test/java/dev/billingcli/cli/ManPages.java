package dev.billingcli.cli;

import java.io.File;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Build step ({@code mvn package}, phase prepare-package): writes one AsciiDoc man page per command
 * with picocli-codegen; asciidoctor turns them into {@code target/man/man1/billing-*.1}. Lives with
 * the tests because picocli-codegen is a build-time dependency only, never shipped in the jar.
 */
public final class ManPages {
    private ManPages() {}

    public static void main(String[] args) throws Exception {
        File out = new File(args.length > 0 ? args[0] : "target/generated-docs");
        CommandLine all = BillingCommand.commandLine(Map.of(), Path.of("."), new PrintWriter(Writer.nullWriter()),
                new PrintWriter(Writer.nullWriter()), null);
        List<CommandSpec> specs = new ArrayList<>();
        collect(all, specs);
        int code = ManPageGenerator.generateManPage(out, null, new boolean[0], true, specs.toArray(CommandSpec[]::new));
        if (code != 0) {
            throw new IllegalStateException("man page generation failed: " + code);
        }
    }

    private static void collect(CommandLine cl, List<CommandSpec> specs) {
        specs.add(cl.getCommandSpec());
        cl.getSubcommands().values().forEach(sub -> collect(sub, specs));
    }
}
