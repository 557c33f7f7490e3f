package dev.billingcli;

import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.CatalogLoader;
import dev.billingcli.config.Settings;
import dev.billingcli.store.Database;
import dev.billingcli.stripe.StripeAccess;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What one run (or one shell session) shares: settings, and the catalog and database opened on first
 * use only, so that {@code --help}, {@code --version} and {@code plans …} never start a database.
 */
public final class App implements AutoCloseable {
    private final Settings settings;
    private final Path workingDir;
    private final Consumer<String> notice;
    private Catalog catalog;
    private Database database;
    private boolean migrated;
    private StripeAccess stripe;
    private int poolSize = 4;

    public App(Settings settings, Path workingDir, Consumer<String> notice) {
        this.settings = settings;
        this.workingDir = workingDir;
        this.notice = notice;
    }

    public Path workingDir() {
        return workingDir;
    }

    public Settings settings() {
        return settings;
    }

    /** One line for the user on stderr (progress, where data lives); never on stdout. */
    public void notice(String message) {
        notice.accept(message);
    }

    public Catalog catalog() {
        if (catalog == null) {
            catalog = CatalogLoader.load(settings.plansFile(), plansDisplayName());
        }
        return catalog;
    }

    /** plans.yaml named as the user would: relative to the working directory when inside it. */
    public String plansDisplayName() {
        Path file = settings.plansFile();
        return file.startsWith(workingDir) ? workingDir.relativize(file).toString() : file.toString();
    }

    /** The database, migrated: every command that needs it gets the current schema. */
    public Database database() {
        Database db = databaseAsIs();
        if (!migrated) {
            int applied = db.migrate();
            if (applied > 0) {
                notice("applied " + applied + " database migration(s) on " + db.description());
            }
            migrated = true;
        }
        return db;
    }

    /** Connections the database pool may open; takes effect when the database is first used (webhook-serve wants more). */
    public void databasePoolSize(int size) {
        poolSize = size;
    }

    /** The database without applying migrations (for {@code db migrate}, which reports what it applies). */
    public Database databaseAsIs() {
        if (database == null) {
            database = Database.open(settings.databaseUrl(), settings.dataDir(), poolSize, notice);
        }
        return database;
    }

    /** The Stripe client of this run; exit 2 when no key is configured. */
    public StripeAccess stripe() {
        if (stripe == null) {
            stripe = StripeAccess.create(settings.stripeKey(), settings.stripeApiBase(), settings.live());
        }
        return stripe;
    }

    @Override
    public void close() {
        if (database != null) {
            database.close();
            database = null;
        }
    }
}
