package dev.billingcli.config;

import dev.billingcli.BillingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code .env} file: {@code KEY=value} lines, {@code #} comments, optional {@code export },
 * single or double quotes around the value. Also writes keys back in place (for {@code --write-env}),
 * keeping every other line as it was.
 */
public final class DotEnv {
    private DotEnv() {}

    public static Map<String, String> read(Path file) {
        Map<String, String> values = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return values;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw BillingException.invalid("cannot read " + file + ": " + e.getMessage());
        }
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring(7).strip();
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2
                    && ((value.startsWith("\"") && value.endsWith("\"")) || (value.startsWith("'") && value.endsWith("'")))) {
                value = value.substring(1, value.length() - 1);
            } else {
                int hash = value.indexOf(" #");
                if (hash >= 0) {
                    value = value.substring(0, hash).strip();
                }
            }
            values.put(key, value);
        }
        return values;
    }

    /** Sets each key in the file: replaces its line where present, appends it otherwise. */
    public static void write(Path file, Map<String, String> updates) {
        try {
            List<String> lines = Files.isRegularFile(file) ? new java.util.ArrayList<>(Files.readAllLines(file)) : new java.util.ArrayList<>();
            Map<String, String> pending = new LinkedHashMap<>(updates);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                String body = line.startsWith("export ") ? line.substring(7).strip() : line;
                int eq = body.indexOf('=');
                if (eq <= 0 || line.startsWith("#")) {
                    continue;
                }
                String key = body.substring(0, eq).strip();
                if (pending.containsKey(key)) {
                    lines.set(i, key + "=" + pending.remove(key));
                }
            }
            pending.forEach((k, v) -> lines.add(k + "=" + v));
            Files.write(file, lines);
        } catch (IOException e) {
            throw BillingException.invalid("cannot write " + file + ": " + e.getMessage());
        }
    }
}
