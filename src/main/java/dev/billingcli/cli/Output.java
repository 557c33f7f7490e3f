package dev.billingcli.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Prints results through picocli's writer: an aligned table for people, or JSON alone on stdout for
 * machines. A command's JSON body is a record: its component names are the keys (camelCase, the one
 * convention; the README lists them and {@code JsonKeysTest} holds the two together). JSON is written
 * with Jackson's streaming generator (no ObjectMapper: commands start faster).
 */
public final class Output {
    private static final JsonFactory JSON = new JsonFactory();
    private final PrintWriter out;
    private final boolean json;
    private final boolean color;

    public Output(PrintWriter out, boolean json, boolean color) {
        this.out = out;
        this.json = json;
        this.color = color;
    }

    public boolean json() {
        return json;
    }

    public void line(String text) {
        out.println(text);
    }

    public String bold(String text) {
        return color ? "\u001b[1m" + text + "\u001b[0m" : text;
    }

    public String green(String text) {
        return color ? "\u001b[32m" + text + "\u001b[0m" : text;
    }

    public String red(String text) {
        return color ? "\u001b[31m" + text + "\u001b[0m" : text;
    }

    /** Columns padded to their widest cell; the header in bold on a terminal. */
    public void table(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i) == null ? 0 : row.get(i).length());
            }
        }
        out.println(bold(format(headers, widths)));
        for (List<String> row : rows) {
            out.println(format(row, widths));
        }
    }

    private static String format(List<String> cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i) == null ? "" : cells.get(i);
            sb.append(cell);
            if (i < cells.size() - 1) {
                sb.append(" ".repeat(widths[i] - cell.length() + 2));
            }
        }
        return sb.toString().stripTrailing();
    }

    /**
     * Writes records (an object keyed by component name, in declaration order), maps, lists, texts,
     * numbers, booleans, instants (ISO-8601) and nulls as pretty JSON.
     */
    public void json(Object value) {
        try {
            JsonGenerator g = JSON.createGenerator(new NonClosingWriter(out));
            g.useDefaultPrettyPrinter();
            write(g, value);
            g.close();
            out.println();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof com.fasterxml.jackson.databind.JsonNode n) {
            writeNode(g, n);
        } else if (v instanceof Record r) {
            g.writeStartObject();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                g.writeFieldName(c.getName());
                write(g, component(r, c));
            }
            g.writeEndObject();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object o : c) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer || v instanceof Long) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Number n) {
            g.writeNumber(n.toString());
        } else if (v instanceof Instant i) {
            g.writeString(i.toString());
        } else {
            g.writeString(v.toString());
        }
    }

    private static Object component(Record r, RecordComponent c) {
        try {
            Method accessor = c.getAccessor();
            accessor.setAccessible(true); // records nested in package-private classes
            return accessor.invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + r.getClass().getSimpleName() + "." + c.getName(), e);
        }
    }

    private static void writeNode(JsonGenerator g, com.fasterxml.jackson.databind.JsonNode n) throws IOException {
        if (n.isObject()) {
            g.writeStartObject();
            for (var it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                g.writeFieldName(e.getKey());
                writeNode(g, e.getValue());
            }
            g.writeEndObject();
        } else if (n.isArray()) {
            g.writeStartArray();
            for (var element : n) {
                writeNode(g, element);
            }
            g.writeEndArray();
        } else if (n.isNull() || n.isMissingNode()) {
            g.writeNull();
        } else if (n.isBoolean()) {
            g.writeBoolean(n.booleanValue());
        } else if (n.isIntegralNumber()) {
            g.writeNumber(n.bigIntegerValue());
        } else if (n.isNumber()) {
            g.writeNumber(n.decimalValue());
        } else {
            g.writeString(n.asText());
        }
    }

    /** Jackson closes its target on close(); picocli owns the writer. */
    private static final class NonClosingWriter extends java.io.FilterWriter {
        NonClosingWriter(PrintWriter out) {
            super(out);
        }

        @Override
        public void close() {
            // keep picocli's writer open
        }
    }

    static List<String> row(Object... cells) {
        List<String> r = new ArrayList<>(cells.length);
        for (Object c : cells) {
            r.add(c == null ? "" : c.toString());
        }
        return r;
    }
}
