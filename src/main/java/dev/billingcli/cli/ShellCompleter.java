package dev.billingcli.cli;

import dev.billingcli.App;
import dev.billingcli.Services;
import dev.billingcli.catalog.Cycle;
import dev.billingcli.config.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.AutoComplete;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Tab completion in {@code billing shell}: commands and options from picocli's model; plan ids from
 * plans.yaml; coupon keys and promotion codes from plans.yaml; account ids from the database, by prefix; event types; the
 * values of enum-like options.
 */
final class ShellCompleter implements Completer {
    private final CommandSpec spec;
    private final Services services;
    private final Settings settings;
    private final Path workingDir;

    /** @param settings the shell's own (its global options): where plans.yaml and the database are */
    ShellCompleter(CommandSpec spec, Services services, Settings settings, Path workingDir) {
        this.spec = spec;
        this.services = services;
        this.settings = settings;
        this.workingDir = workingDir;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int index = line.wordIndex();
        String previous = index > 0 ? words.get(index - 1) : "";
        String prefix = line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
        List<String> values = switch (previous) {
            case "--plan" -> planIds();
            case "--account" -> accountIds(prefix);
            case "--coupon" -> couponKeys();
            case "--promotion-code" -> promotionCodes();
            case "--cycle" -> Arrays.stream(Cycle.values()).map(Cycle::key).toList();
            case "--type" -> StripeWebhookCommand.HANDLED_EVENTS;
            case "-o", "--output" -> List.of("table", "json");
            default -> null;
        };
        if (values == null && index >= 2 && words.get(index - 1).equals("trigger") && words.get(index - 2).equals("webhook")) {
            values = StripeWebhookCommand.HANDLED_EVENTS;
        }
        if (values != null) {
            values.stream().filter(v -> v.startsWith(prefix)).forEach(v -> candidates.add(new Candidate(v)));
            return;
        }
        List<CharSequence> found = new ArrayList<>();
        AutoComplete.complete(spec, words.toArray(String[]::new), index, 0, line.cursor(), found);
        found.forEach(c -> candidates.add(new Candidate(c.toString())));
        if (index == 0) {
            for (String word : List.of("help", "exit")) {
                if (word.startsWith(prefix)) {
                    candidates.add(new Candidate(word));
                }
            }
        }
    }

    private App app() {
        return new App(settings, workingDir, message -> {}, services);
    }

    /** The plans --plan accepts (checkout, webhook trigger): those with a price, not free or sold-by-hand ones. */
    private List<String> planIds() {
        try {
            return app().catalog().plans().values().stream().filter(p -> !p.prices().isEmpty()).map(p -> p.id()).toList();
        } catch (RuntimeException e) {
            return List.of(); // no or invalid plans.yaml: nothing to suggest
        }
    }

    /**
     * The coupons of plans.yaml by key: {@code discount apply --coupon} maps a key to its current version in Stripe
     * ({@code launch20_v2} when the terms changed), so the key is what one types.
     */
    private List<String> couponKeys() {
        try {
            return List.copyOf(app().catalog().coupons().keySet());
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** The promotion codes of plans.yaml, as customers type them. */
    private List<String> promotionCodes() {
        try {
            return List.copyOf(app().catalog().promotionCodes().keySet());
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private List<String> accountIds(String prefix) {
        try {
            return app().accountDirectory().idsStartingWith(prefix, 100);
        } catch (RuntimeException e) {
            return List.of(); // database unreachable: no suggestions, never an error in the middle of typing
        }
    }
}
