package dev.billingcli.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One report of a subscription's state from an event: what the ordering rule reads.
 *
 * @param type the event type ({@code customer.subscription.created|updated|deleted|…})
 * @param object the subscription right after the event
 * @param previousAttributes the old values of the fields the event changed, or null
 */
public record StateChange(String id, String type, Instant created, JsonNode object, JsonNode previousAttributes) {
    public String objectId() {
        JsonNode id = object.get("id");
        return id != null && id.isTextual() ? id.asText() : null;
    }

    public boolean hasPreviousAttributes() {
        return previousAttributes != null && previousAttributes.isObject() && previousAttributes.size() > 0;
    }
}
