package dev.billingcli.catalog;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree that remembers where each value stands (line and column), so that a
 * validation error can point at it. Built from Jackson's streaming YAML parser; Jackson's own
 * {@code JsonNode} forgets locations.
 */
final class YamlTree {
    record Pos(int line, int column) {}

    sealed interface Node permits MapNode, ListNode, Scalar {
        Pos pos();
    }

    record MapNode(Map<String, Entry> entries, Pos pos) implements Node {}

    record Entry(String key, Pos keyPos, Node value) {}

    record ListNode(List<Node> items, Pos pos) implements Node {}

    /** A scalar keeps its source text; {@code token} tells how YAML typed it (string, int, float, bool, null). */
    record Scalar(String text, JsonToken token, Pos pos) implements Node {
        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }
    }

    /** Thrown for YAML that does not parse, or has a key twice. */
    static final class SyntaxError extends Exception {
        final Pos pos;

        SyntaxError(String message, Pos pos) {
            super(message);
            this.pos = pos;
        }
    }

    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlTree() {}

    static Node parse(String text) throws SyntaxError {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new MapNode(new LinkedHashMap<>(), new Pos(1, 1));
            }
            return read(p);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String msg = e.getOriginalMessage().lines().findFirst().orElse("invalid YAML");
            throw new SyntaxError("invalid YAML: " + msg, loc == null ? new Pos(1, 1) : new Pos(loc.getLineNr(), loc.getColumnNr()));
        } catch (IOException e) {
            throw new SyntaxError("invalid YAML: " + e.getMessage(), new Pos(1, 1));
        }
    }

    private static Node read(JsonParser p) throws IOException, SyntaxError {
        Pos pos = pos(p);
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Entry> entries = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                Pos keyPos = pos(p);
                p.nextToken();
                Node value = read(p);
                if (entries.containsKey(key)) {
                    throw new SyntaxError("key \"" + key + "\" appears twice", keyPos);
                }
                entries.put(key, new Entry(key, keyPos, value));
            }
            return new MapNode(entries, pos);
        }
        if (t == JsonToken.START_ARRAY) {
            List<Node> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(read(p));
            }
            return new ListNode(items, pos);
        }
        return new Scalar(t == JsonToken.VALUE_NULL ? null : p.getText(), t, pos);
    }

    private static Pos pos(JsonParser p) {
        JsonLocation loc = p.currentTokenLocation();
        return new Pos(loc.getLineNr(), loc.getColumnNr());
    }
}
