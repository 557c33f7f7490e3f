package dev.billingcli.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "completion", description = "Print a shell completion script for bash or zsh.",
        footerHeading = "%nExamples:%n",
        footer = {"  source <(billing completion bash)", "  billing completion zsh > \"${fpath[1]}/_billing\""})
final class CompletionCommand implements Runnable {
    enum Shell { bash, zsh }

    @Parameters(index = "0", arity = "0..1", paramLabel = "bash|zsh", defaultValue = "bash", description = "The shell [default: bash].")
    Shell shell;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        String script = AutoComplete.bash("billing", spec.root().commandLine());
        if (shell == Shell.zsh) {
            // picocli's script is bash; zsh runs it through bashcompinit.
            script = "#compdef billing\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script;
        }
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
    }
}
