package dev.billingcli.fakestripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a request against Stripe's OpenAPI description ({@code ../shared/stripe-openapi/spec3.json},
 * API 2023-08-16) the way Stripe would judge it: unknown path or method, unknown parameter, missing
 * required parameter, wrong type or enum value. The spec predates the API version stripe-java pins,
 * so {@code fakestripe/spec-overlay.json} adds the few newer parameters we use, each with its reason.
 */
public final class OpenApiRequestValidator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile OpenApiRequestValidator shared;

    private final JsonNode spec;
    private final List<Route> routes = new ArrayList<>();

    private record Route(String template, Pattern pattern, int params) {}

    private OpenApiRequestValidator(JsonNode spec) {
        this.spec = spec;
        spec.get("paths").fieldNames().forEachRemaining(t -> {
            String regex = "^" + t.replaceAll("\\{[^/]+}", "[^/]+") + "$";
            routes.add(new Route(t, Pattern.compile(regex), t.split("\\{", -1).length - 1));
        });
        // literal segments win over parameters: /v1/products/search before /v1/products/{id}
        routes.sort(Comparator.comparingInt(Route::params));
    }

    /** The spec, loaded once per test JVM (it is 5 MB), with the overlay applied. */
    public static OpenApiRequestValidator shared() {
        if (shared == null) {
            synchronized (OpenApiRequestValidator.class) {
                if (shared == null) {
                    shared = new OpenApiRequestValidator(load());
                }
            }
        }
        return shared;
    }

    /**
     * Stripe's description as shipped beside the project ({@code ../shared/stripe-openapi/spec3.json},
     * or {@code -Dbilling.openapi.spec}) when it is there, else the same file bundled with the tests
     * (gzipped, byte for byte; {@code OpenApiRequestValidatorTest} checks that the two agree), so that
     * a clone anywhere validates against the same description.
     */
    static InputStream openSpec() throws IOException {
        Path shared = sharedSpec();
        if (shared != null) {
            return Files.newInputStream(shared);
        }
        InputStream bundled = OpenApiRequestValidator.class.getResourceAsStream(BUNDLED);
        if (bundled == null) {
            throw new IOException("neither ../shared/stripe-openapi/spec3.json nor " + BUNDLED + " on the test class path");
        }
        return new java.util.zip.GZIPInputStream(bundled);
    }

    static final String BUNDLED = "/fakestripe/spec3.json.gz";

    /** The shared copy, when it exists. */
    static Path sharedSpec() {
        String configured = System.getProperty("billing.openapi.spec");
        Path path = configured != null ? Path.of(configured) : Path.of("../shared/stripe-openapi/spec3.json");
        return Files.isRegularFile(path) ? path : null;
    }

    private static JsonNode load() {
        try (InputStream in = openSpec();
                InputStream overlay = OpenApiRequestValidator.class.getResourceAsStream("/fakestripe/spec-overlay.json")) {
            JsonNode spec = JSON.readTree(in);
            applyOverlay(spec, JSON.readTree(overlay));
            return spec;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Stripe's OpenAPI description: " + e.getMessage(), e);
        }
    }

    /**
     * Overlay entries: {@code path}, {@code method}, {@code pointer} (JSON pointer into the form schema),
     * and one of {@code set} (replace or add the node), {@code add_enum} (values), {@code not_required} (a name).
     */
    private static void applyOverlay(JsonNode spec, JsonNode overlay) {
        for (JsonNode e : overlay.get("changes")) {
            JsonNode schema = spec.at("/paths/" + e.get("path").asText().replace("~", "~0").replace("/", "~1") + "/"
                    + e.get("method").asText() + "/requestBody/content/application~1x-www-form-urlencoded/schema");
            if (schema.isMissingNode()) {
                throw new IllegalStateException("overlay: no form schema for " + e.get("method") + " " + e.get("path"));
            }
            String pointer = e.path("pointer").asText("");
            if (e.has("set")) {
                int slash = pointer.lastIndexOf('/');
                ObjectNode parent = (ObjectNode) schema.at(pointer.substring(0, slash));
                parent.set(pointer.substring(slash + 1), e.get("set"));
            } else if (e.has("add_enum")) {
                ArrayNode values = (ArrayNode) schema.at(pointer).get("enum");
                if (values == null) {
                    throw new IllegalStateException("overlay: no enum at " + pointer + " for " + e.get("path") + " (" + e.get("why") + ")");
                }
                e.get("add_enum").forEach(values::add);
            } else if (e.has("not_required")) {
                ArrayNode required = (ArrayNode) schema.at(pointer).get("required");
                for (Iterator<JsonNode> it = required.iterator(); it.hasNext();) {
                    if (it.next().asText().equals(e.get("not_required").asText())) {
                        it.remove();
                    }
                }
            }
        }
    }

    /**
     * @param query the raw query string (GET, DELETE), or null
     * @param form the raw form body (POST), or null
     * @return one message per problem; empty when Stripe would accept the request's shape
     */
    public List<String> validate(String method, String path, String query, String form) {
        String m = method.toLowerCase(Locale.ROOT);
        String where = method + " " + path;
        Route route = routes.stream().filter(r -> r.pattern().matcher(path).matches()
                && spec.get("paths").get(r.template()).has(m)).findFirst().orElse(null);
        if (route == null) {
            return List.of(where + ": no such endpoint in Stripe's API description");
        }
        JsonNode op = spec.get("paths").get(route.template()).get(m);
        List<String> errors = new ArrayList<>();
        Map<String, Object> queryParams = FormDecoder.decode(query);
        Map<String, Object> formParams = FormDecoder.decode(form);
        JsonNode body = op.at("/requestBody/content/application~1x-www-form-urlencoded/schema");
        if (m.equals("delete") && !body.isMissingNode() && formParams.isEmpty()) {
            // stripe-java sends a DELETE's parameters in the query string, and Stripe reads them from
            // there; the description lists them as the body: check them against the body's schema
            formParams = queryParams;
            queryParams = Map.of();
        }
        for (Map.Entry<String, Object> q : queryParams.entrySet()) {
            JsonNode param = null;
            for (JsonNode p : op.path("parameters")) {
                if ("query".equals(p.path("in").asText()) && q.getKey().equals(p.path("name").asText())) {
                    param = p;
                }
            }
            if (param == null) {
                errors.add(where + ": unknown query parameter \"" + q.getKey() + "\"");
            } else {
                check(param.get("schema"), q.getValue(), q.getKey(), where, errors);
            }
        }
        for (JsonNode p : op.path("parameters")) {
            if ("query".equals(p.path("in").asText()) && p.path("required").asBoolean() && !queryParams.containsKey(p.path("name").asText())) {
                errors.add(where + ": missing required query parameter \"" + p.path("name").asText() + "\"");
            }
        }
        if (!formParams.isEmpty() || !body.isMissingNode()) {
            if (body.isMissingNode()) {
                errors.add(where + ": takes no body parameters, got " + formParams.keySet());
            } else {
                checkObject(body, formParams, "", where, errors);
            }
        }
        return errors;
    }

    private JsonNode resolve(JsonNode schema) {
        while (schema != null && schema.has("$ref")) {
            schema = spec.at(schema.get("$ref").asText().substring(1));
        }
        return schema;
    }

    private void check(JsonNode schema, Object value, String name, String where, List<String> errors) {
        schema = resolve(schema);
        if (schema == null || schema.isMissingNode()) {
            return;
        }
        if (schema.has("anyOf")) {
            List<String> firstErrors = null;
            for (JsonNode alt : schema.get("anyOf")) {
                List<String> altErrors = new ArrayList<>();
                check(alt, value, name, where, altErrors);
                if (altErrors.isEmpty()) {
                    return;
                }
                if (firstErrors == null || altErrors.size() < firstErrors.size()) {
                    firstErrors = altErrors;
                }
            }
            errors.addAll(firstErrors == null ? List.of(where + ": " + name + ": matches no allowed form") : firstErrors);
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> {
                if (value instanceof Map<?, ?> map) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) map;
                    checkObject(schema, m, name, where, errors);
                } else {
                    errors.add(where + ": " + name + ": expected an object (" + name + "[key]=…), got \"" + value + "\"");
                }
            }
            case "array" -> {
                if (value instanceof List<?> list) {
                    for (int i = 0; i < list.size(); i++) {
                        check(schema.get("items"), list.get(i), name + "[" + i + "]", where, errors);
                    }
                } else {
                    errors.add(where + ": " + name + ": expected a list (" + name + "[0]=…), got \"" + value + "\"");
                }
            }
            default -> checkScalar(schema, type, value, name, where, errors);
        }
    }

    private void checkObject(JsonNode schema, Map<String, Object> value, String prefix, String where, List<String> errors) {
        schema = resolve(schema);
        JsonNode props = schema.path("properties");
        JsonNode additional = schema.get("additionalProperties");
        for (Map.Entry<String, Object> e : value.entrySet()) {
            String name = prefix.isEmpty() ? e.getKey() : prefix + "[" + e.getKey() + "]";
            if (props.has(e.getKey())) {
                check(props.get(e.getKey()), e.getValue(), name, where, errors);
            } else if (additional != null && (additional.isObject() || additional.asBoolean(false))) {
                if (additional.isObject()) {
                    check(additional, e.getValue(), name, where, errors);
                }
            } else {
                errors.add(where + ": unknown parameter \"" + name + "\"");
            }
        }
        for (JsonNode required : schema.path("required")) {
            if (!value.containsKey(required.asText())) {
                String name = prefix.isEmpty() ? required.asText() : prefix + "[" + required.asText() + "]";
                errors.add(where + ": missing required parameter \"" + name + "\"");
            }
        }
    }

    private void checkScalar(JsonNode schema, String type, Object value, String name, String where, List<String> errors) {
        if (!(value instanceof String s)) {
            errors.add(where + ": " + name + ": expected a " + (type.isEmpty() ? "value" : type) + ", got a nested structure");
            return;
        }
        boolean ok = switch (type) {
            case "integer" -> s.matches("-?\\d+");
            case "number" -> s.matches("-?\\d+(\\.\\d+)?");
            case "boolean" -> s.equals("true") || s.equals("false");
            default -> true;
        };
        if (!ok) {
            errors.add(where + ": " + name + ": \"" + s + "\" is not a " + type);
            return;
        }
        if (schema.has("enum")) {
            List<String> allowed = new ArrayList<>();
            schema.get("enum").forEach(v -> allowed.add(v.asText()));
            if (!allowed.contains(s)) {
                errors.add(where + ": " + name + ": \"" + s + "\" is not one of " + allowed);
            }
        }
        if (schema.has("maxLength") && s.length() > schema.get("maxLength").asInt()) {
            errors.add(where + ": " + name + ": longer than " + schema.get("maxLength").asInt() + " characters");
        }
    }
}
