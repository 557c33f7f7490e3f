package dev.billingcli.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A Stripe event as delivered: the raw JSON (stored as received) and the parts every step needs.
 *
 * @param object {@code data.object}: the object's state right after the event
 * @param previousAttributes {@code data.previous_attributes}: the old values of the fields that changed
 *     (update events only), or null
 */
public record StripeEvent(String id, String type, Instant created, ObjectNode object, JsonNode previousAttributes, String raw) {
    static final ObjectMapper JSON = new ObjectMapper();

    public String objectId() {
        JsonNode id = object.get("id");
        return id != null && id.isTextual() ? id.asText() : null;
    }

    /** What the ordering rule reads of this event. */
    public dev.billingcli.subscription.StateChange change() {
        return new dev.billingcli.subscription.StateChange(id, type, created, object, previousAttributes);
    }

    public boolean hasPreviousAttributes() {
        return previousAttributes != null && previousAttributes.isObject() && previousAttributes.size() > 0;
    }

    /** @throws Rejection (400) when the body is not JSON or not a Stripe event */
    public static StripeEvent parse(byte[] body) throws Rejection {
        return parse(new String(body, StandardCharsets.UTF_8));
    }

    public static StripeEvent parse(String raw) throws Rejection {
        JsonNode root;
        try {
            root = JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            throw new Rejection(400, "body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new Rejection(400, "body is not JSON");
        }
        JsonNode id = root.get("id");
        JsonNode type = root.get("type");
        JsonNode created = root.get("created");
        JsonNode object = root.path("data").get("object");
        if (!"event".equals(root.path("object").asText()) || id == null || !id.isTextual() || id.asText().isBlank()
                || type == null || !type.isTextual() || created == null || !created.canConvertToLong()
                || object == null || !object.isObject()) {
            throw new Rejection(400, "body is not a Stripe event (needs object=event, id, type, created, data.object)");
        }
        JsonNode previous = root.path("data").get("previous_attributes");
        return new StripeEvent(id.asText(), type.asText(), Instant.ofEpochSecond(created.asLong()), (ObjectNode) object,
                previous == null || previous.isNull() ? null : previous, raw);
    }
}
