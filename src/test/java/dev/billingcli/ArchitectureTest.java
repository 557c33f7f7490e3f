package dev.billingcli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of the code, as rules that fail the build: Jdbi only in {@code store/}, stripe-java only in
 * {@code stripe/}, commands that reach neither and depend on the core only (not on {@code store/} or
 * {@code stripe/}: App wires those), subscription state written only through the ledger, and
 * no cycles between packages.
 */
class ArchitectureTest {
    private static JavaClasses main;

    @BeforeAll
    static void importMain() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.billingcli");
    }

    static final ArchRule ONLY_STORE_TOUCHES_JDBI = noClasses().that().resideOutsideOfPackage("dev.billingcli.store..")
            .should().dependOnClassesThat().resideInAnyPackage("org.jdbi..")
            .because("PostgreSQL is reached only through store/ (repositories and the Tx unit of work)");

    static final ArchRule ONLY_STRIPE_TOUCHES_STRIPE_JAVA = noClasses().that().resideOutsideOfPackage("dev.billingcli.stripe..")
            .should().dependOnClassesThat().resideInAnyPackage("com.stripe..")
            .because("gateways in stripe/ take and return our own records");

    static final ArchRule COMMANDS_REACH_NEITHER_LIBRARY = noClasses().that().resideInAPackage("dev.billingcli.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("com.stripe..", "org.jdbi..")
            .because("a command is options, one call into the core and one renderer");

    static final ArchRule COMMANDS_DEPEND_ON_THE_CORE_ONLY = noClasses().that().resideInAPackage("dev.billingcli.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.billingcli.store..", "dev.billingcli.stripe..")
            .because("commands call core services (support/, setup/, doctor/, webhook/, ledger/, catalog/, subscription/) and App,"
                    + " which wires store/ and stripe/ behind them");

    static final ArchRule ONLY_THE_LEDGER_WRITES_SUBSCRIPTIONS = noClasses()
            .that().resideOutsideOfPackages("dev.billingcli.ledger..", "dev.billingcli.store..")
            .should().callMethod("dev.billingcli.store.SubscriptionStore", "replace",
                    "dev.billingcli.subscription.Subscription", "java.time.Instant", "java.lang.String")
            .orShould().callMethod("dev.billingcli.store.SubscriptionStore", "insertIfAbsent",
                    "dev.billingcli.subscription.Subscription", "java.time.Instant", "java.lang.String")
            .orShould().callMethod("dev.billingcli.store.SubscriptionStore", "changeStatus",
                    "java.lang.String", "java.util.List", "java.lang.String", "java.time.Instant", "java.lang.String")
            .orShould().callMethod("dev.billingcli.store.SubscriptionStore", "recordFromCheckout",
                    "java.lang.String", "java.lang.String", "java.lang.String", "java.lang.String", "java.lang.String")
            .orShould().callMethod("dev.billingcli.store.SubscriptionStore", "settlePending", "java.lang.String", "java.lang.String")
            .orShould().callMethod("dev.billingcli.store.SubscriptionStore", "linkAccount", "java.lang.String", "java.lang.String")
            .orShould().callMethod("dev.billingcli.store.SubscriptionStore", "setSchedule", "java.lang.String", "java.lang.String",
                    "dev.billingcli.subscription.ScheduledChange", "java.time.Instant")
            .because("one write path for subscription state: webhooks, support actions, sync and replays all go through the ledger");

    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("dev.billingcli.(*)..").should().beFreeOfCycles();

    @Test
    void onlyStoreTouchesJdbi() {
        ONLY_STORE_TOUCHES_JDBI.check(main);
    }

    @Test
    void onlyStripeTouchesStripeJava() {
        ONLY_STRIPE_TOUCHES_STRIPE_JAVA.check(main);
    }

    @Test
    void commandsReachNeitherStripeJavaNorJdbi() {
        COMMANDS_REACH_NEITHER_LIBRARY.check(main);
    }

    @Test
    void commandsDependOnTheCoreOnly() {
        COMMANDS_DEPEND_ON_THE_CORE_ONLY.check(main);
    }

    /**
     * What the class files cannot show: javac copies a compile-time constant (StripeVersions.API) into the
     * class that reads it, so ArchUnit sees no dependency there. The sources of cli/ name neither package.
     */
    @Test
    void commandSourcesNameNeitherStoreNorStripe() throws IOException {
        List<String> found;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/billingcli/cli"))) {
            found = files.filter(f -> f.toString().endsWith(".java")).flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream().filter(l -> l.matches(".*\\bdev\\.billingcli\\.(store|stripe)\\b.*"))
                            .map(l -> f.getFileName() + ": " + l.strip());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertThat(found).isEmpty();
    }

    @Test
    void onlyTheLedgerWritesSubscriptions() {
        ONLY_THE_LEDGER_WRITES_SUBSCRIPTIONS.check(main);
    }

    @Test
    void noCyclesBetweenPackages() {
        NO_PACKAGE_CYCLES.check(main);
    }
}
