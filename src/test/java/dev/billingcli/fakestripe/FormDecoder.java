package dev.billingcli.fakestripe;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes Stripe's form encoding ({@code metadata[plan]=pro}, {@code items[0][price]=price_1},
 * {@code expand[]=data.product}) into nested maps and lists of strings.
 */
final class FormDecoder {
    private FormDecoder() {}

    static Map<String, Object> decode(String form) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (form == null || form.isEmpty()) {
            return root;
        }
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            put(root, path(key), value);
        }
        return listify(root);
    }

    /** {@code a[b][0]} → [a, b, 0]; {@code a[]} → [a, ""]. */
    static List<String> path(String key) {
        List<String> parts = new ArrayList<>();
        int open = key.indexOf('[');
        if (open < 0) {
            parts.add(key);
            return parts;
        }
        parts.add(key.substring(0, open));
        int i = open;
        while (i < key.length() && key.charAt(i) == '[') {
            int close = key.indexOf(']', i);
            if (close < 0) {
                parts.add(key.substring(i + 1));
                break;
            }
            parts.add(key.substring(i + 1, close));
            i = close + 1;
        }
        return parts;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> root, List<String> path, String value) {
        Map<String, Object> node = root;
        for (int i = 0; i < path.size() - 1; i++) {
            String part = path.get(i).isEmpty() ? String.valueOf(node.size()) : path.get(i);
            Object next = node.get(part);
            if (!(next instanceof Map)) {
                next = new LinkedHashMap<String, Object>();
                node.put(part, next);
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
}
