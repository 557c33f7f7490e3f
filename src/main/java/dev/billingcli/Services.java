package dev.billingcli;

import dev.billingcli.catalog.Catalog;
import dev.billingcli.store.Database;
import dev.billingcli.stripe.StripeAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What outlives one command in {@code billing shell}: database pools (and the embedded server behind
 * one), Stripe clients and parsed catalogs, keyed by what they were made from, so that a command line
 * with other global options gets its own. A one-shot run has none of this: its {@link App} owns what it
 * opens.
 */
public final class Services implements AutoCloseable {
    private record CachedCatalog(FileTime modified, long size, Catalog catalog) {}

    private final Map<String, Database> databases = new LinkedHashMap<>();
    private final Map<String, StripeAccess> stripes = new LinkedHashMap<>();
    private final Map<Path, CachedCatalog> catalogs = new LinkedHashMap<>();

    synchronized Database database(String key, Supplier<Database> openAndMigrate) {
        return databases.computeIfAbsent(key, k -> openAndMigrate.get());
    }

    synchronized StripeAccess stripe(String key, Supplier<StripeAccess> create) {
        return stripes.computeIfAbsent(key, k -> create.get());
    }

    /** The catalog, parsed again only when plans.yaml changed since (edit it while the shell runs). */
    synchronized Catalog catalog(Path file, Supplier<Catalog> load) {
        FileTime modified = null;
        long size = -1;
        try {
            modified = Files.getLastModifiedTime(file);
            size = Files.size(file);
        } catch (IOException e) {
            return load.get(); // missing file: the loader says so
        }
        CachedCatalog cached = catalogs.get(file);
        if (cached == null || !cached.modified().equals(modified) || cached.size() != size) {
            cached = new CachedCatalog(modified, size, load.get());
            catalogs.put(file, cached);
        }
        return cached.catalog();
    }

    /** The databases opened so far (for completion, which must not start one just to suggest ids). */
    public synchronized java.util.Optional<Database> anyOpenDatabase() {
        return databases.values().stream().findFirst();
    }

    @Override
    public synchronized void close() {
        databases.values().forEach(Database::close);
        databases.clear();
    }
}
