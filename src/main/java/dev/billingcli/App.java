package dev.billingcli;

import dev.billingcli.catalog.Catalog;
import dev.billingcli.catalog.CatalogLoader;
import dev.billingcli.config.Settings;
import dev.billingcli.doctor.Schema;
import dev.billingcli.setup.CatalogSync;
import dev.billingcli.store.AuditLog;
import dev.billingcli.store.Database;
import dev.billingcli.stripe.CatalogGateway;
import dev.billingcli.stripe.EventsGateway;
import dev.billingcli.stripe.StripeAccess;
import dev.billingcli.stripe.StripeVersions;
import dev.billingcli.stripe.SubscriptionGateway;
import dev.billingcli.support.AccountDirectory;
import dev.billingcli.support.AuditService;
import dev.billingcli.support.LicenseService;
import dev.billingcli.support.SupportService;
import dev.billingcli.support.SyncService;
import dev.billingcli.webhook.EventLog;
import dev.billingcli.webhook.EventProcessor;
import dev.billingcli.webhook.WebhookRegistration;
import dev.billingcli.webhook.WebhookServer;
import java.time.Clock;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What one run (or one shell session) shares: settings, and the catalog and database opened on first
 * use only, so that {@code --help}, {@code --version} and {@code plans …} never start a database. It
 * also wires the core services the commands call, so that {@code cli/} sees neither {@code store/} nor
 * {@code stripe/} (ArchitectureTest).
 */
public final class App implements AutoCloseable {
    /**
     * stripe-java's version and the Stripe API version it pins, for {@code --version}. Compile-time
     * constants from {@link StripeVersions}: javac copies them into the reader, so reading them loads
     * neither this class nor a Stripe one.
     */
    public static final String STRIPE_JAVA_VERSION = StripeVersions.LIBRARY;
    public static final String STRIPE_API_VERSION = StripeVersions.API;

    private final Settings settings;
    private final Path workingDir;
    private final Consumer<String> notice;
    private Catalog catalog;
    private Database database;
    private boolean migrated;
    private Double rateOverride;
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

    /**
     * {@code --rate N} of the running command (see cli/RateOption): Stripe requests per second for this process, all
     * threads together; set before the first Stripe call.
     */
    public void stripeRate(double requestsPerSecond) {
        if (stripe != null) {
            throw new IllegalStateException("the Stripe client of this run exists already");
        }
        if (!(requestsPerSecond > 0 && requestsPerSecond <= 10_000)) {
            throw BillingException.invalid("--rate: " + java.math.BigDecimal.valueOf(requestsPerSecond).stripTrailingZeros().toPlainString() + " is not a number of requests per second between 0 and 10000 (e.g. 20)");
        }
        rateOverride = requestsPerSecond;
    }

    /** {@code --rate}, else {@code BILLING_STRIPE_RATE}: Stripe requests per second for this process; null for the default of the key's mode. */
    private Double stripeRate() {
        if (rateOverride != null) {
            return rateOverride;
        }
        String value = settings.env("BILLING_STRIPE_RATE");
        if (value == null) {
            return null;
        }
        try {
            double rate = Double.parseDouble(value);
            if (rate > 0 && rate <= 10_000) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw BillingException.invalid("BILLING_STRIPE_RATE: \"" + value + "\" is not a number of requests per second (e.g. 20)");
    }

    /** {@code db start|stop|serve}: the embedded server kept up between one-shot commands (none with a database URL). */
    public dev.billingcli.doctor.DatabaseServer databaseServer() {
        if (settings.databaseUrl() != null) {
            throw BillingException.invalid("db start/stop keep the embedded PostgreSQL up; with a database URL there is none to keep");
        }
        return new dev.billingcli.doctor.DatabaseServer(settings.dataDir());
    }

    /** The command line that runs this tool again (for a background {@code db serve}): this JVM, its class path, Main. */
    public java.util.List<String> launcher() {
        String jvm = ProcessHandle.current().info().command().orElse("java");
        return java.util.List.of(jvm, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "dev.billingcli.Main");
    }

    public Schema schema() {
        return new Schema(database());
    }

    /** The database's migrations, before any is applied ({@code db migrate} reports what it applies). */
    public Schema schemaAsIs() {
        return new Schema(databaseAsIs());
    }

    /** The Stripe client of this run; exit 2 when no key is configured. */
    public StripeAccess stripe() {
        if (stripe == null) {
            Double rate = stripeRate();
            Supplier<StripeAccess> create = () -> StripeAccess.create(settings.stripeKey(), settings.stripeApiBase(), settings.live(), rate);
            stripe = shared == null ? create.get()
                    : shared.stripe(settings.stripeKey() + "|" + settings.stripeApiBase() + "|" + settings.live() + "|" + rate, create);
        }
        return stripe;
    }

    // ------------------------------------------------------------------ the core services, wired

    /** Who is acting, for the audit log: {@code BILLING_ACTOR} when set (a support tool, a CI job), else the OS user. */
    private String actor() {
        return AuditLog.actor(settings.env("BILLING_ACTOR"));
    }

    /** Checkout, portal, status, cancel, reactivate; the Stripe client is opened only by the actions that call Stripe. */
    public SupportService supportService() {
        return new SupportService(catalog(), database(), () -> new SubscriptionGateway(stripe()), actor());
    }

    /** {@code prices migrate}: subscriptions from archived prices to the current one; Stripe is opened when the run starts. */
    public dev.billingcli.support.PriceMigration priceMigration() {
        return new dev.billingcli.support.PriceMigration(catalog(), database(), () -> new SubscriptionGateway(stripe()), actor());
    }

    /** Pages sync --all writes side by side (each its own transaction and connection). */
    public int syncWriters() {
        return SubscriptionGateway.WRITERS;
    }

    public SyncService syncService() {
        return new SyncService(catalog(), database(), new SubscriptionGateway(stripe()));
    }

    public LicenseService licenseService() {
        return new LicenseService(database(), actor());
    }

    public AuditService auditService() {
        return new AuditService(database());
    }

    /** Account ids by prefix (the shell's completion). */
    public AccountDirectory accountDirectory() {
        return new AccountDirectory(database());
    }

    /** plans.yaml against Stripe (stripe:setup, stripe:verify). */
    public CatalogSync catalogSync() {
        return new CatalogSync(catalog(), new CatalogGateway(stripe()));
    }

    /** The webhook endpoint in Stripe (stripe:webhook). */
    public WebhookRegistration webhookRegistration() {
        return new WebhookRegistration(stripe());
    }

    // ------------------------------------------------------------------ the webhook pipeline's parts

    /** The event processor, with Stripe fetches to settle same-second ties when a Stripe key is configured. */
    public EventProcessor eventProcessor() {
        EventsGateway events = settings.stripeKey() != null ? new EventsGateway(stripe()) : null;
        return new EventProcessor(database(), catalog(), events == null ? null : events::subscription);
    }

    /** The stored events (list, show, replay): no Stripe key needed. */
    public EventLog eventLog() {
        return new EventLog(database(), eventProcessor(), () -> new EventsGateway(stripe()));
    }

    /** The stored events with Stripe opened first ({@code events fetch}): without a key, exit 2 before the database opens. */
    public EventLog eventLogWithStripe() {
        EventsGateway events = new EventsGateway(stripe());
        return new EventLog(database(), eventProcessor(), () -> events);
    }

    /** webhook-serve's listener, on this run's event processor and database (not started). */
    public WebhookServer webhookServer(WebhookServer.Config config, Consumer<String> log, Clock clock) {
        WebhookServer.PreparedMetrics metrics = WebhookServer.prepareMetrics(); // while the database opens
        return new WebhookServer(config, eventProcessor(), database(), log, clock, metrics);
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
