package dev.billingcli.fakestripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small stateful Stripe on loopback for tests, behaving like a fresh test-mode account unless a
 * test says otherwise. Every request is first checked against Stripe's
 * OpenAPI description ({@link OpenApiRequestValidator}); a request Stripe would reject gets Stripe's
 * 400 and is recorded as a violation, which {@link FakeStripeExtension} turns into a test failure.
 * It keeps objects in memory, replays idempotent requests like Stripe (the first answer, a 500
 * included), and can fail chosen writes.
 */
public final class FakeStripe implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** One request as received. @param params query (GET/DELETE) or form body (POST), decoded */
    public record Request(String method, String path, Map<String, Object> params, String idempotencyKey, String stripeVersion) {
        public boolean write() {
            return !method.equals("GET");
        }

        @Override
        public String toString() {
            return method + " " + path + " " + params;
        }
    }

    record Response(int status, String body, Map<String, String> headers) {}

    interface Handler {
        Response handle(Matcher path, Map<String, Object> params) throws ApiError;
    }

    private record Route(String method, Pattern pattern, Handler handler) {}

    /** A Stripe error answer. */
    static final class ApiError extends Exception {
        final int status;
        final String type;
        final String code;

        ApiError(int status, String type, String code, String message) {
            super(message);
            this.status = status;
            this.type = type;
            this.code = code;
        }
    }

    private final HttpServer server;
    private final OpenApiRequestValidator validator = OpenApiRequestValidator.shared();
    private final List<Route> routes = new ArrayList<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Response> idempotent = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1000);
    private final AtomicLong clock = new AtomicLong(1_780_000_000L);
    private final AtomicInteger writeCount = new AtomicInteger();
    private final Map<Integer, Integer> failWrites = new ConcurrentHashMap<>();
    private volatile boolean restrictedReadOnly;
    private final Object gate = new Object();
    private boolean holding;
    private final Set<String> revokedKeys = ConcurrentHashMap.newKeySet();

    // the account's objects, in creation order
    final Map<String, ObjectNode> products = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> prices = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> customers = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> subscriptions = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> portalConfigurations = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> webhookEndpoints = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> checkoutSessions = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> portalSessions = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ObjectNode> events = Collections.synchronizedMap(new LinkedHashMap<>());

    private FakeStripe() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::serve);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        Resources.register(this);
        server.start();
    }

    public static FakeStripe start() {
        try {
            return new FakeStripe();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    // ------------------------------------------------------------------ test controls

    /** Every request received since the start or the last {@link #clearRequests()}. */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public List<Request> writes() {
        return requests().stream().filter(Request::write).toList();
    }

    public long count(String method, String pathPrefix) {
        return requests().stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).count();
    }

    public void clearRequests() {
        requests.clear();
    }

    /** Requests Stripe would have rejected as malformed: each one is a test failure. */
    public List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    /** The nth write from now (1 = the next) answers with this status, as Stripe would. */
    public void failWrite(int nth, int status) {
        failWrites.put(writeCount.get() + nth, status);
    }

    /** From now on, requests are received and recorded but not answered until {@link #releaseResponses()} (a hung network). */
    public void holdResponses() {
        synchronized (gate) {
            holding = true;
        }
    }

    public void releaseResponses() {
        synchronized (gate) {
            holding = false;
            gate.notifyAll();
        }
    }

    /** Waits until a request to a path starting with {@code pathPrefix} has been received. */
    public void awaitRequest(String method, String pathPrefix, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (gate) {
            while (count(method, pathPrefix) == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + method + " " + pathPrefix + " request within " + timeout);
                }
                gate.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** This key is refused with 401, as Stripe refuses a rolled or deleted key. */
    public void revokeKey(String key) {
        revokedKeys.add(key);
    }

    /**
     * The account has saved its customer portal settings in the Dashboard: a default configuration
     * exists, and portal sessions without {@code configuration} use it. A fresh account has none.
     */
    public synchronized void dashboardPortalDefault(boolean saved) {
        boolean exists = filter(portalConfigurations, c -> c.get("is_default").asBoolean()).size() > 0;
        if (saved && !exists) {
            ObjectNode c = SupportResources.dashboardPortalConfiguration(this);
            portalConfigurations.put(c.get("id").asText(), c);
        } else if (!saved) {
            portalConfigurations.values().removeIf(c -> c.get("is_default").asBoolean());
        }
    }

    /** Keys starting {@code rk_} may only read (a restricted key without write permissions). */
    public void restrictedKeysReadOnly(boolean on) {
        restrictedReadOnly = on;
    }

    public List<ObjectNode> products() {
        synchronized (products) {
            return List.copyOf(products.values());
        }
    }

    public List<ObjectNode> prices() {
        synchronized (prices) {
            return List.copyOf(prices.values());
        }
    }

    public List<ObjectNode> portalConfigurations() {
        synchronized (portalConfigurations) {
            return List.copyOf(portalConfigurations.values());
        }
    }

    public List<ObjectNode> customers() {
        synchronized (customers) {
            return List.copyOf(customers.values());
        }
    }

    public List<ObjectNode> checkoutSessions() {
        synchronized (checkoutSessions) {
            return List.copyOf(checkoutSessions.values());
        }
    }

    public List<ObjectNode> portalSessions() {
        synchronized (portalSessions) {
            return List.copyOf(portalSessions.values());
        }
    }

    public List<ObjectNode> subscriptions() {
        synchronized (subscriptions) {
            return List.copyOf(subscriptions.values());
        }
    }

    public ObjectNode subscription(String id) {
        return subscriptions.get(id);
    }

    /** A customer made elsewhere, linked to an account through its metadata (or not, with null). */
    public synchronized ObjectNode newCustomer(String accountId) {
        ObjectNode c = object().put("id", newId("cus")).put("object", "customer").put("created", now()).put("livemode", false);
        ObjectNode md = c.putObject("metadata");
        if (accountId != null) {
            md.put("account_id", accountId);
        }
        customers.put(c.get("id").asText(), c);
        return c;
    }

    /**
     * A subscription as Stripe would hold it after a checkout: the price embedded in its one item,
     * the period on the item (the pinned API version), metadata as given.
     */
    public synchronized ObjectNode newSubscription(String customer, String priceId, String status, long periodStart, long periodEnd,
            Map<String, String> metadata) {
        ObjectNode price = prices.get(priceId);
        if (price == null) {
            throw new IllegalArgumentException("no price " + priceId);
        }
        return SupportResources.newSubscription(this, customer, price, status, periodStart, periodEnd, metadata);
    }

    public List<ObjectNode> webhookEndpoints() {
        synchronized (webhookEndpoints) {
            return List.copyOf(webhookEndpoints.values());
        }
    }

    public ObjectNode product(String id) {
        return products.get(id);
    }

    public ObjectNode price(String id) {
        return prices.get(id);
    }

    /** Stores an object as if made elsewhere (the dashboard, another tool). */
    public ObjectNode put(String kind, ObjectNode object) {
        map(kind).put(object.get("id").asText(), object);
        return object;
    }

    Map<String, ObjectNode> map(String kind) {
        return switch (kind) {
            case "product" -> products;
            case "price" -> prices;
            case "customer" -> customers;
            case "subscription" -> subscriptions;
            case "billing_portal.configuration" -> portalConfigurations;
            case "webhook_endpoint" -> webhookEndpoints;
            case "event" -> events;
            default -> throw new IllegalArgumentException(kind);
        };
    }

    // ------------------------------------------------------------------ helpers for resources

    String newId(String prefix) {
        return prefix + "_fake" + ids.incrementAndGet();
    }

    long now() {
        return clock.incrementAndGet();
    }

    ObjectNode object() {
        return F.objectNode();
    }

    ArrayNode array() {
        return F.arrayNode();
    }

    void route(String method, String regex, Handler handler) {
        routes.add(new Route(method, Pattern.compile("^" + regex + "$"), handler));
    }

    static Response ok(JsonNode body) {
        return new Response(200, body.toString(), Map.of());
    }

    ObjectNode list(String url, List<? extends JsonNode> all, Map<String, Object> params) {
        int limit = params.containsKey("limit") ? Integer.parseInt((String) params.get("limit")) : 10;
        int start = 0;
        if (params.containsKey("starting_after")) {
            String after = (String) params.get("starting_after");
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).get("id").asText().equals(after)) {
                    start = i + 1;
                }
            }
        }
        ObjectNode list = object().put("object", "list").put("url", url);
        ArrayNode data = list.putArray("data");
        all.subList(Math.min(start, all.size()), Math.min(all.size(), start + limit)).forEach(data::add);
        list.put("has_more", start + limit < all.size());
        return list;
    }

    static List<ObjectNode> filter(Map<String, ObjectNode> objects, Predicate<ObjectNode> keep) {
        synchronized (objects) {
            return objects.values().stream().filter(keep).toList();
        }
    }

    static ApiError missing(String kind, String id) {
        return new ApiError(404, "invalid_request_error", "resource_missing", "No such " + kind + ": '" + id + "'");
    }

    static ApiError invalid(String message) {
        return new ApiError(400, "invalid_request_error", null, message);
    }

    // ------------------------------------------------------------------ serving

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
            Map<String, Object> params = FormDecoder.decode(method.equals("POST") ? body : query);
            Request request = new Request(method, path, params, key, ex.getRequestHeaders().getFirst("Stripe-Version"));
            requests.add(request);
            synchronized (gate) {
                gate.notifyAll(); // for awaitRequest
                while (holding) {
                    try {
                        gate.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            Response response = respond(ex, request, query, body);
            byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("Request-Id", "req_fake" + ids.incrementAndGet());
            response.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.sendResponseHeaders(response.status(), bytes.length);
            ex.getResponseBody().write(bytes);
        }
    }

    private Response respond(HttpExchange ex, Request request, String query, String body) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String apiKey = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
        if (!apiKey.matches("(sk|rk)_(test|live)_\\w+") || revokedKeys.contains(apiKey)) {
            return error(new ApiError(401, "invalid_request_error", null, "Invalid API Key provided: " + apiKey));
        }
        List<String> problems = validator.validate(request.method(), request.path(),
                request.method().equals("POST") ? null : query, request.method().equals("POST") ? body : null);
        if (!problems.isEmpty()) {
            violations.addAll(problems);
            return error(invalid(String.join("; ", problems)));
        }
        if (request.write() && restrictedReadOnly && apiKey.startsWith("rk_")) {
            return error(new ApiError(403, "invalid_request_error", null,
                    "The provided key does not have the required permissions for this endpoint"));
        }
        if (request.write() && request.idempotencyKey() != null) {
            Response earlier = idempotent.get(request.idempotencyKey());
            if (earlier != null) {
                return new Response(earlier.status(), earlier.body(), Map.of("Idempotent-Replayed", "true"));
            }
        }
        Response response;
        if (request.write()) {
            Integer failWith = failWrites.remove(writeCount.incrementAndGet());
            if (failWith != null) {
                response = failWith == 429
                        ? new Response(429, errorBody(new ApiError(429, "invalid_request_error", "rate_limit", "Too many requests")),
                                Map.of("Stripe-Should-Retry", "true"))
                        : new Response(failWith, errorBody(new ApiError(failWith, "api_error", null, "An unknown error occurred")), Map.of());
                if (failWith != 429 && request.idempotencyKey() != null) {
                    // Stripe keeps the first answer for a key, a 500 included; a 429 is not kept.
                    idempotent.put(request.idempotencyKey(), response);
                }
                return response;
            }
        }
        response = dispatch(request);
        if (request.write() && request.idempotencyKey() != null && response.status() < 500) {
            idempotent.put(request.idempotencyKey(), response);
        }
        return response;
    }

    private Response dispatch(Request request) {
        for (Route r : routes) {
            Matcher m = r.pattern().matcher(request.path());
            if (r.method().equals(request.method()) && m.matches()) {
                try {
                    synchronized (this) {
                        return r.handler().handle(m, request.params());
                    }
                } catch (ApiError e) {
                    return error(e);
                }
            }
        }
        return error(new ApiError(404, "invalid_request_error", null, "fake Stripe does not implement " + request.method() + " " + request.path()));
    }

    private static Response error(ApiError e) {
        return new Response(e.status, errorBody(e), Map.of());
    }

    private static String errorBody(ApiError e) {
        ObjectNode err = F.objectNode();
        ObjectNode inner = err.putObject("error").put("type", e.type).put("message", e.getMessage());
        if (e.code != null) {
            inner.put("code", e.code);
        }
        return err.toString();
    }

    @Override
    public void close() {
        releaseResponses();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
