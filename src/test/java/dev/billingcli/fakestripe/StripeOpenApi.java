package dev.billingcli.fakestripe;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request.Method;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.common.Urls;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Glue between the stand-in and swagger-request-validator: every request and every response is
 * checked against Stripe's OpenAPI description ({@code ../shared/stripe-openapi/spec3.json}, API
 * 2023-08-16) plus {@code fakestripe/spec-overlay.json} (what the pinned API version changed since,
 * each entry with its source).
 *
 * <p>The library cannot read Stripe's form encoding: it takes {@code metadata[plan]=pro} as a flat
 * key and guesses types ({@code lookup_key=123} becomes a number). So the glue decodes the form or
 * query into nested values, types each leaf as the schema says (Stripe's server does the same), and
 * the library validates that as a JSON body against one object schema per operation, built from the
 * operation's query parameters and form schema (a DELETE's parameters travel in the query with
 * stripe-java, and Stripe reads them there, while the description lists them as a form body).
 */
public final class StripeOpenApi {
    static final String BUNDLED = "/fakestripe/spec3.json.gz";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String JSON_TYPE = "application/json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static volatile StripeOpenApi shared;

    private final JsonNode spec;
    private final List<Route> routes = new ArrayList<>();
    private final OpenApiInteractionValidator validator;

    private record Route(String template, Pattern pattern, int params) {}

    private StripeOpenApi(JsonNode spec) {
        this.spec = spec;
        spec.get("paths").fieldNames().forEachRemaining(t -> routes.add(
                new Route(t, Pattern.compile("^" + t.replaceAll("\\{[^/]+}", "[^/]+") + "$"), t.split("\\{", -1).length - 1)));
        routes.sort(Comparator.comparingInt(Route::params)); // /v1/products/search before /v1/products/{id}
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(false); // Stripe's schemas are recursive; the validator resolves $refs itself
        options.setResolveCombinators(false);
        options.setExplicitObjectSchema(false);
        validator = OpenApiInteractionValidator.createForInlineApiSpecification(spec.toString())
                .withParseOptions(options)
                // the stand-in checks keys itself (revoked, restricted), as Stripe does, with Stripe's answers
                .withLevelResolver(LevelResolver.create().withLevel("validation.request.security", ValidationReport.Level.IGNORE).build())
                .build();
    }

    /** The description, parsed once per test JVM (5 MB: seconds), with the overlay applied. */
    public static StripeOpenApi shared() {
        if (shared == null) {
            synchronized (StripeOpenApi.class) {
                if (shared == null) {
                    shared = new StripeOpenApi(load());
                }
            }
        }
        return shared;
    }

    // ------------------------------------------------------------------ validation

    /**
     * @param query the raw query string, or null
     * @param form the raw form body, or null
     * @return one message per problem; empty when Stripe would accept the request's shape
     */
    public List<String> validateRequest(String method, String path, String query, String form) {
        Map<String, Object> params = decode(query);
        params.putAll(decode(form));
        JsonNode body = typed(params, paramsSchema(method, path));
        SimpleRequest request = new SimpleRequest.Builder(method, path).withContentType(JSON_TYPE).withBody(body.toString()).build();
        return messages(method + " " + path, validator.validateRequest(request));
    }

    /** @return one message per way the answer differs from what Stripe sends for this request */
    public List<String> validateResponse(String method, String path, int status, String contentType, String body) {
        SimpleResponse.Builder response = SimpleResponse.Builder.status(status).withBody(body);
        if (contentType != null) {
            response.withContentType(contentType);
        }
        return messages(method + " " + path + " → " + status,
                validator.validateResponse(path, Method.valueOf(method.toUpperCase(Locale.ROOT)), response.build()));
    }

    private static List<String> messages(String where, ValidationReport report) {
        return report.getMessages().stream().filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(m -> where + ": " + m.getMessage() + m.getNestedMessages().stream().map(n -> " | " + n.getMessage()).reduce("", String::concat))
                .toList();
    }

    // ------------------------------------------------------------------ Stripe's form encoding

    /**
     * Stripe's form encoding ({@code metadata[plan]=pro}, {@code items[0][price]=price_1},
     * {@code expand[]=data.product}) as nested maps and lists of strings; WireMock does the
     * percent-decoding, this the brackets.
     */
    static Map<String, Object> decode(String form) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (form != null && !form.isEmpty()) {
            Urls.splitQuery(form).forEach((key, values) -> values.values().forEach(v -> put(root, path(key), v)));
        }
        return listify(root);
    }

    /** {@code a[b][0]} → [a, b, 0]; {@code a[]} → [a, ""]. */
    private static List<String> path(String key) {
        List<String> parts = new ArrayList<>(List.of(key.split("\\[", -1)));
        for (int i = 1; i < parts.size(); i++) {
            String p = parts.get(i);
            parts.set(i, p.endsWith("]") ? p.substring(0, p.length() - 1) : p);
        }
        return parts;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> root, List<String> path, String value) {
        Map<String, Object> node = root;
        for (String part : path.subList(0, path.size() - 1)) {
            Object next = node.get(part.isEmpty() ? String.valueOf(node.size()) : part);
            if (!(next instanceof Map)) {
                next = new LinkedHashMap<String, Object>();
                node.put(part.isEmpty() ? String.valueOf(node.size()) : part, next);
            }
            node = (Map<String, Object>) next;
        }
        String last = path.get(path.size() - 1);
        node.put(last.isEmpty() ? String.valueOf(node.size()) : last, value);
    }

    /** Maps whose keys are 0..n-1 become lists. */
    @SuppressWarnings("unchecked")
    private static <T> T listify(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> out.put(k, listify(v)));
            boolean indexed = !out.isEmpty();
            for (int i = 0; i < out.size() && indexed; i++) {
                indexed = out.containsKey(String.valueOf(i));
            }
            return (T) (indexed ? new ArrayList<>(out.values()) : out);
        }
        return (T) node;
    }

    /** The decoded form as JSON, each leaf typed as the schema allows ({@code "990"} → 990 for an integer). */
    private JsonNode typed(Object value, JsonNode schema) {
        List<JsonNode> alternatives = new ArrayList<>();
        alternatives(schema, alternatives);
        if (value instanceof String s) {
            for (JsonNode alt : alternatives) {
                String type = alt.path("type").asText("");
                if (type.equals("integer") && s.matches("-?\\d{1,18}")) {
                    return F.numberNode(Long.parseLong(s));
                } else if (type.equals("number") && s.matches("-?\\d+(\\.\\d+)?")) {
                    return F.numberNode(new BigDecimal(s));
                } else if (type.equals("boolean") && (s.equals("true") || s.equals("false"))) {
                    return F.booleanNode(s.equals("true"));
                }
            }
            return F.textNode(s);
        }
        JsonNode array = alternatives.stream().filter(a -> "array".equals(a.path("type").asText())).findFirst().orElse(null);
        if (value instanceof List<?> list && (array != null || alternatives.isEmpty())) {
            ArrayNode out = F.arrayNode();
            list.forEach(item -> out.add(typed(item, array == null ? null : array.get("items"))));
            return out;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        if (value instanceof List<?> list) { // a[0]=x where the schema wants an object: keys "0", "1", …
            for (int i = 0; i < list.size(); i++) {
                map.put(String.valueOf(i), list.get(i));
            }
        } else {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) value;
            map.putAll(m);
        }
        JsonNode object = alternatives.stream().filter(a -> a.has("properties") || a.has("additionalProperties")).findFirst().orElse(null);
        ObjectNode out = F.objectNode();
        map.forEach((k, v) -> {
            JsonNode child = null;
            if (object != null) {
                child = object.path("properties").has(k) ? object.path("properties").get(k)
                        : object.path("additionalProperties").isObject() ? object.get("additionalProperties") : null;
            }
            out.set(k, typed(v, child));
        });
        return out;
    }

    private void alternatives(JsonNode schema, List<JsonNode> into) {
        while (schema != null && schema.has("$ref")) {
            schema = spec.at(schema.get("$ref").asText().substring(1));
        }
        if (schema == null || schema.isMissingNode()) {
            return;
        }
        JsonNode union = schema.has("anyOf") ? schema.get("anyOf") : schema.get("oneOf");
        if (union != null) {
            union.forEach(alt -> alternatives(alt, into));
        } else {
            into.add(schema);
        }
    }

    private JsonNode paramsSchema(String method, String path) {
        for (Route r : routes) {
            if (r.pattern().matcher(path).matches()) {
                JsonNode schema = spec.at("/paths/" + pointer(r.template()) + "/" + method.toLowerCase(Locale.ROOT)
                        + "/requestBody/content/application~1json/schema");
                if (!schema.isMissingNode()) {
                    return schema;
                }
            }
        }
        return null;
    }

    /** A JSON pointer token as the key it names ({@code ~1v1~1invoices} → {@code /v1/invoices}). */
    private static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }

    private static String pointer(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }

    // ------------------------------------------------------------------ loading

    /**
     * Stripe's description as shipped beside the project ({@code ../shared/stripe-openapi/spec3.json},
     * or {@code -Dbilling.openapi.spec}) when it is there, else the same file bundled with the tests
     * (gzipped, byte for byte; {@code StripeOpenApiTest} checks that the two agree), so that a clone
     * anywhere validates against the same description.
     */
    static InputStream openSpec() throws IOException {
        Path path = sharedSpec();
        if (path != null) {
            return Files.newInputStream(path);
        }
        InputStream bundled = StripeOpenApi.class.getResourceAsStream(BUNDLED);
        if (bundled == null) {
            throw new IOException("neither ../shared/stripe-openapi/spec3.json nor " + BUNDLED + " on the test class path");
        }
        return new java.util.zip.GZIPInputStream(bundled);
    }

    /** The shared copy, when it exists. */
    static Path sharedSpec() {
        String configured = System.getProperty("billing.openapi.spec");
        Path path = configured != null ? Path.of(configured) : Path.of("../shared/stripe-openapi/spec3.json");
        return Files.isRegularFile(path) ? path : null;
    }

    private static JsonNode load() {
        try (InputStream in = openSpec(); InputStream overlay = StripeOpenApi.class.getResourceAsStream("/fakestripe/spec-overlay.json")) {
            JsonNode spec = JSON.readTree(in);
            applyOverlay(spec, JSON.readTree(overlay));
            paramsAsJsonBodies(spec);
            nullableUnions(spec);
            return spec;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Stripe's OpenAPI description: " + e.getMessage(), e);
        }
    }

    /**
     * Overlay entries: {@code source} (where Stripe documents the change), {@code why}, a
     * {@code pointer} (JSON pointer: into the operation's form schema when {@code path} and
     * {@code method} are given, else into the whole description) and one of {@code set} (replace or
     * add the node), {@code remove} (true: the node goes; a field the pinned version no longer
     * sends), {@code add_enum} (values), {@code add_required} and {@code not_required} (property names).
     */
    static void applyOverlay(JsonNode spec, JsonNode overlay) {
        for (JsonNode e : overlay.get("changes")) {
            if (!e.path("source").asText().startsWith("https://")) {
                throw new IllegalStateException("overlay: every change cites its source (a Stripe changelog or docs URL): " + e);
            }
            JsonNode root = spec;
            if (e.has("path")) {
                root = spec.at("/paths/" + pointer(e.get("path").asText()) + "/" + e.get("method").asText()
                        + "/requestBody/content/" + pointer(FORM) + "/schema");
            }
            String pointer = e.path("pointer").asText("");
            if (root.isMissingNode() || (!e.has("set") && root.at(pointer).isMissingNode())) {
                throw new IllegalStateException("overlay: nothing at " + pointer + " for " + e);
            }
            if (e.has("set")) {
                int slash = pointer.lastIndexOf('/');
                JsonNode parent = root.at(pointer.substring(0, slash));
                if (!(parent instanceof ObjectNode p)) {
                    throw new IllegalStateException("overlay: no object at " + pointer.substring(0, slash) + " for " + e);
                }
                p.set(unescape(pointer.substring(slash + 1)), e.get("set"));
            } else if (e.path("remove").asBoolean()) {
                int slash = pointer.lastIndexOf('/');
                ((ObjectNode) root.at(pointer.substring(0, slash))).remove(unescape(pointer.substring(slash + 1)));
            } else if (e.has("add_required")) {
                ArrayNode required = root.at(pointer).has("required") ? (ArrayNode) root.at(pointer).get("required")
                        : ((ObjectNode) root.at(pointer)).putArray("required");
                e.get("add_required").forEach(required::add);
            } else if (e.has("add_enum")) {
                ArrayNode values = (ArrayNode) root.at(pointer).get("enum");
                if (values == null) {
                    throw new IllegalStateException("overlay: no enum at " + pointer + " for " + e);
                }
                e.get("add_enum").forEach(values::add);
            } else if (e.has("not_required")) {
                boolean found = false;
                for (Iterator<JsonNode> it = root.at(pointer).path("required").iterator(); it.hasNext();) {
                    if (it.next().asText().equals(e.get("not_required").asText())) {
                        it.remove();
                        found = true;
                    }
                }
                if (!found) {
                    throw new IllegalStateException("overlay: " + e.get("not_required") + " is not required at " + pointer);
                }
            } else {
                throw new IllegalStateException("overlay: no change in " + e);
            }
        }
    }

    /**
     * The validator reads {@code nullable: true} on a schema with a {@code type} only, while Stripe
     * marks its expandable fields ({@code default_price: anyOf [id, price]}) nullable on the
     * {@code anyOf}: such a union gets an alternative that is null and nothing else.
     */
    private static void nullableUnions(JsonNode node) {
        if (node instanceof ObjectNode o && o.path("nullable").asBoolean() && o.get("anyOf") instanceof ArrayNode union) {
            ObjectNode onlyNull = union.addObject().put("type", "string").put("nullable", true);
            onlyNull.putArray("enum").addNull();
        }
        node.forEach(StripeOpenApi::nullableUnions);
    }

    /** Each operation's query parameters and form schema become one required JSON body schema (see the class comment). */
    private static void paramsAsJsonBodies(JsonNode spec) {
        for (JsonNode item : spec.get("paths")) {
            item.fields().forEachRemaining(op -> {
                if (!(op.getValue() instanceof ObjectNode operation) || !operation.has("responses")) {
                    return;
                }
                ObjectNode schema = F.objectNode().put("type", "object").put("additionalProperties", false);
                ObjectNode properties = schema.putObject("properties");
                ArrayNode required = schema.putArray("required");
                ArrayNode kept = F.arrayNode();
                for (JsonNode p : operation.path("parameters")) {
                    if ("query".equals(p.path("in").asText())) {
                        properties.set(p.get("name").asText(), p.get("schema"));
                        if (p.path("required").asBoolean()) {
                            required.add(p.get("name").asText());
                        }
                    } else {
                        kept.add(p);
                    }
                }
                JsonNode form = operation.at("/requestBody/content/" + pointer(FORM) + "/schema");
                if (!form.isMissingNode()) {
                    form.path("properties").fields().forEachRemaining(f -> properties.set(f.getKey(), f.getValue()));
                    form.path("required").forEach(required::add);
                }
                if (required.isEmpty()) {
                    schema.remove("required");
                }
                operation.set("parameters", kept);
                ObjectNode body = F.objectNode().put("required", true);
                body.putObject("content").putObject(JSON_TYPE).set("schema", schema);
                operation.set("requestBody", body);
            });
        }
    }
}
