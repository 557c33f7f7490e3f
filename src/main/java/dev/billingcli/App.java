package dev.billingcli;

import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.CatalogLoader;
import dev.billingcli.config.Settings;
import dev.billingcli.store.Database;
import dev.billingcli.stripe.StripeAccess;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;

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
    private final Services shared;
    private int poolSize = 4;

    public App(Settings settings, Path workingDir, Consumer<String> notice) {
        this(settings, workingDir, notice, null);
    }

    /** @param shared what a shell session keeps across commands, or null for a one-shot run */
    public App(Settings settings, Path workingDir, Consumer<String> notice, Services shared) {
        this.settings = settings;
        this.workingDir = workingDir;
        this.notice = notice;
        this.shared = shared;
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
            catalog = shared == null ? CatalogLoader.load(settings.plansFile(), plansDisplayName())
                    : shared.catalog(settings.plansFile(), () -> CatalogLoader.load(settings.plansFile(), plansDisplayName()));
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
        if (shared != null) {
            return shared.database(settings.databaseUrl() + "|" + settings.dataDir(), () -> migrate(open()));
        }
        Database db = databaseAsIs();
        return migrated ? db : migrate(db);
    }

    private Database migrate(Database db) {
        int applied = db.migrate();
        if (applied > 0) {
            notice("applied " + applied + " database migration(s) on " + db.description());
        }
        migrated = true;
        return db;
    }

    private Database open() {
        return Database.open(settings.databaseUrl(), settings.dataDir(), poolSize, notice);
    }

    /** Connections the database pool may open; takes effect when the database is first used (webhook-serve wants more). */
    public void databasePoolSize(int size) {
        poolSize = size;
    }

    /**
     * The database without applying migrations (for {@code db migrate}, which reports what it applies).
     * A shell session's database was migrated when the session first opened it.
     */
    public Database databaseAsIs() {
        if (shared != null) {
            return database();
        }
        if (database == null) {
            database = open();
        }
        return database;
    }

    /** The database's migrations, on the migrated database. */
    public dev.billingcli.doctor.Schema schema() {
        return new dev.billingcli.doctor.Schema(database());
    }

    /** The database's migrations, before any is applied ({@code db migrate} reports what it applies). */
    public dev.billingcli.doctor.Schema schemaAsIs() {
        return new dev.billingcli.doctor.Schema(databaseAsIs());
    }

    /** The Stripe client of this run; exit 2 when no key is configured. */
    public StripeAccess stripe() {
        if (stripe == null) {
            Supplier<StripeAccess> create = () -> StripeAccess.create(settings.stripeKey(), settings.stripeApiBase(), settings.live());
            stripe = shared == null ? create.get()
                    : shared.stripe(settings.stripeKey() + "|" + settings.stripeApiBase() + "|" + settings.live(), create);
        }
        return stripe;
    }

    // ------------------------------------------------------------------ the webhook pipeline's parts

    /** The event processor, with Stripe fetches to settle same-second ties when a Stripe key is configured. */
    public dev.billingcli.webhook.EventProcessor eventProcessor() {
        dev.billingcli.stripe.EventsGateway events = settings.stripeKey() != null ? new dev.billingcli.stripe.EventsGateway(stripe()) : null;
        return new dev.billingcli.webhook.EventProcessor(database(), catalog(), events == null ? null : events::subscription);
    }

    public dev.billingcli.webhook.EventLog eventLog() {
        return new dev.billingcli.webhook.EventLog(database(), eventProcessor());
    }

    /**
     * The signing secrets: {@code --secret} flags, else {@code STRIPE_WEBHOOK_SECRET} (comma-separated, for
     * rotation). None → exit 2: the listener fails closed, there is no flag to skip verification.
     */
    public java.util.List<String> webhookSecrets(java.util.List<String> flags) {
        java.util.List<String> secrets = new java.util.ArrayList<>();
        String configured = settings.env("STRIPE_WEBHOOK_SECRET");
        for (String value : flags != null && !flags.isEmpty() ? flags : configured != null ? java.util.List.of(configured) : java.util.List.<String>of()) {
            for (String s : value.split(",")) {
                if (!s.isBlank()) {
                    secrets.add(s.strip());
                }
            }
        }
        if (secrets.isEmpty()) {
            throw BillingException.invalid("no webhook signing secret: set STRIPE_WEBHOOK_SECRET (billing stripe:webhook --write-env .env"
                    + " creates one) or pass --secret; unsigned events are never accepted");
        }
        return secrets;
    }

    @Override
    public void close() {
        if (database != null) {
            database.close();
            database = null;
        }
    }
}
