package dev.billingcli.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The windowed read on a list served from memory the way Stripe pages it (newest first, {@code created} windows,
 * {@code starting_after}): an import's thousand objects of one second are read one page after another, and those
 * requests are the urgent ones at the rate limit; every object once.
 */
class CreatedWindowsTest {
    record Obj(String id, long created) {}

    /** 1,000 objects made in second 5,000, and 300 spread over the seconds before and after it. */
    private final List<Obj> list = new ArrayList<>();

    CreatedWindowsTest() {
        for (int i = 0; i < 1_000; i++) {
            list.add(new Obj(String.format("imp%05d", i), 5_000));
        }
        for (int i = 0; i < 300; i++) {
            list.add(new Obj(String.format("obj%05d", i), 2_000 + i * 20L + (i >= 150 ? 1 : 0)));
        }
        // Stripe's order: newest first; within a second, a fixed order (here the id's, descending)
        list.sort(Comparator.comparingLong(Obj::created).reversed().thenComparing(Obj::id, Comparator.reverseOrder()));
    }

    private CreatedWindows.RawPage page(CreatedWindows.Window w, int limit) {
        List<Obj> in = list.stream().filter(o -> o.created() >= w.gte() && (w.lt() == null || o.created() < w.lt()))
                .collect(Collectors.toList());
        int from = 0;
        if (w.startingAfter() != null) {
            from = in.stream().map(Obj::id).collect(Collectors.toList()).indexOf(w.startingAfter()) + 1;
        }
        List<Obj> page = in.subList(from, Math.min(in.size(), from + limit));
        String data = page.stream().map(o -> "{\"id\":\"" + o.id() + "\",\"created\":" + o.created() + "}")
                .collect(Collectors.joining(","));
        return new CreatedWindows.RawPage("{\"object\":\"list\",\"data\":[" + data + "],\"has_more\":" + (from + limit < in.size()) + "}",
                Instant.EPOCH, "req_test");
    }

    /** Whether the page that ended with {@code after} in this window was a full page of one second. */
    private boolean afterAFullPageOfOneSecond(CreatedWindows.Window w) {
        if (w.startingAfter() == null) {
            return false;
        }
        List<Obj> in = list.stream().filter(o -> o.created() >= w.gte() && (w.lt() == null || o.created() < w.lt()))
                .collect(Collectors.toList());
        int end = in.stream().map(Obj::id).collect(Collectors.toList()).indexOf(w.startingAfter()) + 1;
        List<Obj> previous = in.subList(Math.max(0, end - CreatedWindows.PAGE), end);
        return previous.size() == CreatedWindows.PAGE && previous.stream().map(Obj::created).distinct().count() == 1;
    }

    /** One reader (never idle readers to split for) and eight. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 8})
    void theOneSecondImportIsReadPageAfterPageAsUrgentAndEveryObjectOnce(int readers) {
        record Request(CreatedWindows.Window window, boolean urgent) {}
        List<Request> requests = Collections.synchronizedList(new ArrayList<>());
        ConcurrentHashMap<String, Integer> seen = new ConcurrentHashMap<>();
        CreatedWindows windows = new CreatedWindows((w, limit, urgent) -> {
            requests.add(new Request(w, urgent));
            return page(w, limit);
        }, readers, 2, 4);

        windows.run(List.of(CreatedWindows.Window.all()), batch -> {
            var ids = java.util.regex.Pattern.compile("\"id\":\"([a-z0-9]+)\"").matcher(batch.body());
            while (ids.find()) {
                seen.merge(ids.group(1), 1, Integer::sum);
            }
        });

        assertThat(seen).hasSize(1_300);
        assertThat(seen.values()).allMatch(n -> n == 1);
        // urgent exactly when the window's previous page was 100 objects of one second: the import's 1,000 are at least
        // 9 full pages, and every one but its last is followed by another request in that second
        for (Request r : requests) {
            assertThat(r.urgent()).as(r.window().toString()).isEqualTo(afterAFullPageOfOneSecond(r.window()));
        }
        assertThat(requests.stream().filter(Request::urgent).count()).isBetween(8L, 10L);
        // and the chain is that second alone: what is older went to other windows at the first full page of it
        assertThat(requests.stream().filter(Request::urgent).map(r -> r.window().gte())).containsOnly(5_000L);
    }
}
