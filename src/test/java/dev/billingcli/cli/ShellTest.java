package dev.billingcli.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.CliRunner;
import dev.billingcli.TestPostgres;
import dev.billingcli.config.Settings;
import dev.billingcli.fakestripe.FakeStripe;
import dev.billingcli.fakestripe.FakeStripeExtension;
import dev.billingcli.store.Database;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scripted terminal session with {@code billing shell}: keys go in through jline's own external
 * terminal (line discipline, signals) exactly as typed, the screen is read back.
 */
class ShellTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final FakeStripeExtension stripe = new FakeStripeExtension();

    @TempDir
    Path dir;

    private PipedOutputStream keys;
    /** What the terminal shows; every write wakes whoever waits for text (awaitScreen). */
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream() {
        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            notifyAll();
        }

        @Override
        public synchronized void write(int b) {
            super.write(b);
            notifyAll();
        }
    };
    private Terminal terminal;
    private CompletableFuture<Integer> session;
    private Shell shell;
    private int mark;
    private Map<String, String> env;

    @BeforeEach
    void start() throws Exception {
        CliRunner.withRepoPlans(dir);
        // coupons and a code to complete (the repo's plans.yaml has none)
        java.nio.file.Path plans = dir.resolve("plans.yaml");
        java.nio.file.Files.writeString(plans, java.nio.file.Files.readString(plans) + """

                coupons:
                  launch20: { percent_off: 20, duration: repeating, months: 3 }
                  welcome5: { amount_off: "5.00", duration: once }
                promotion_codes:
                  LAUNCH20: { coupon: launch20 }
                """);
        String url = TestPostgres.newDatabaseUrl();
        env = Map.of("DATABASE_URL", url, "STRIPE_SECRET_KEY", "sk_test_FAKE_shell1234", "STRIPE_API_BASE", stripe.fake().url(),
                "NO_COLOR", "1");
        try (Database db = Database.open(url, dir.resolve(".billing"), 2, m -> {})) {
            db.migrate();
            db.jdbi().useHandle(h -> h.execute(
                    "insert into accounts (account_id) values ('acme'), ('acme_labs'), ('beta'), ('acm%e')"));
        }
        keys = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(keys, 64 * 1024);
        terminal = new ExternalTerminal("test", "xterm", in, screen, StandardCharsets.UTF_8);
        terminal.setSize(new org.jline.terminal.Size(160, 40));
        Settings settings = Settings.resolve(new Settings.Flags(null, null, null, null, null, null, false, false, false), env, dir);
        // started as "billing --plans plans.yaml shell": the global options go in front of every line
        shell = new Shell(terminal, env, dir, List.of("--plans", "plans.yaml"), settings);
        session = CompletableFuture.supplyAsync(shell::run);
        awaitScreen("(test)> ");
    }

    @AfterEach
    void stop() throws Exception {
        if (!session.isDone()) {
            type("\u0004");
            session.get(10, TimeUnit.SECONDS);
        }
        terminal.close();
    }

    private void type(String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    private String screenText() {
        synchronized (screen) {
            // without colours and cursor moves: what a person reads
            return screen.toString(StandardCharsets.UTF_8).replaceAll("\u001B\\[[;?0-9]*[A-Za-z]|\u001B[=>]", "");
        }
    }

    /** Waits until the screen, after the last mark, shows {@code text}; returns that part and moves the mark. */
    private String awaitScreen(String text) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (screen) {
            while (System.nanoTime() < deadline) {
                String all = screenText();
                int at = all.indexOf(text, mark);
                if (at >= 0) {
                    String seen = all.substring(mark, at + text.length());
                    mark = at + text.length();
                    return seen;
                }
                screen.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        }
        throw new AssertionError("screen never showed " + text + "; since the last mark:\n" + screenText().substring(mark));
    }

    @Test
    void runsCommandsKeepsGoingAfterAnErrorAndLeavesOnCtrlD() throws Exception {
        type("plans list\r");
        String plans = awaitScreen("(test)> ");
        assertThat(plans).contains("pro", "business", "credits_pack", "9.90");

        type("plans lisst\r");
        String error = awaitScreen("(test) [2]> ");
        assertThat(error).contains("billing: Unexpected argument: 'lisst' (did you mean list or validate?); see 'help plans'\r\n");

        type("statuss\r"); // inside the shell, help is 'help'
        assertThat(awaitScreen("(test) [2]> ")).contains("billing: Unexpected argument: 'statuss' (did you mean status or stripe:setup or pause?); see 'help'\r\n")
                .doesNotContain("billing --help");

        type("-o json db status\r");
        String json = awaitScreen("(test)> ");
        assertThat(json).contains("\"migrations\"", "\"pending\" : 0");

        type("help status\r"); // after the shell's global options, help is still found
        assertThat(awaitScreen("(test)> ")).contains("Usage: billing status").contains("--account");

        type("\u0004");
        assertThat(session.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void completesCommandsOptionsPlanIdsCouponsAndAccountIds() throws Exception {
        type("pla\t");
        awaitScreen("plans ");
        type("li\t");
        awaitScreen("list ");
        type("\r");
        assertThat(awaitScreen("(test)> ")).contains("credits_pack");

        type("stripe:setup --dr\t");
        awaitScreen("--dry-run ");
        type("\u0015"); // Ctrl-U: clear the line

        type("x --plan bu\t");
        awaitScreen("business ");
        type("\u0015");

        // coupons by their plans.yaml key (discount apply maps it to the current version in Stripe), codes as customers type them
        type("discount apply --coupon la\t");
        awaitScreen("--coupon launch20 ");
        type("\u0015");
        type("discount apply --promotion-code LA\t");
        awaitScreen("--promotion-code LAUNCH20 ");
        type("\u0015");

        type("x --account acme\t\t");
        String listed = awaitScreen("acme_labs");
        assertThat(listed).doesNotContain("beta");
        type("\u0015");

        type("x --account acm%\t");
        awaitScreen("acm%e ");
        type("\u0015\u0004");
        assertThat(session.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void historyIsKeptInTheDataDirAndRecalledWithTheUpArrow() throws Exception {
        type("plans validate\r");
        awaitScreen("(test)> ");
        type("\u001bOA\r"); // up arrow (xterm's key code), enter: the same command again
        assertThat(awaitScreen("(test)> ")).contains("plans validate").containsIgnoringCase("valid");
        type("\u0004");
        session.get(10, TimeUnit.SECONDS);
        assertThat(Files.readString(dir.resolve(".billing/shell_history"))).contains("plans validate");
    }

    @Test
    void secretValuesNeverReachTheHistoryFile() throws Exception {
        type("--stripe-key sk_test_FAKE_typed_9876 plans validate\r");
        awaitScreen("(test)> ");
        type("webhook-serve --secret whsec_FAKE_typed_5678 --secret=whsec_FAKE_other_4321 --bogus\r");
        awaitScreen("(test) [2]> ");
        type("--database-url postgres://app:hunter2@127.0.0.1:1/billing plans list\r");
        awaitScreen("(test)> ");
        type("\u0004");
        session.get(10, TimeUnit.SECONDS);
        String history = Files.readString(dir.resolve(".billing/shell_history"));
        assertThat(history).contains("--stripe-key sk_test_…9876 plans validate",
                        "webhook-serve --secret whsec_…5678 --secret=whsec_…4321 --bogus",
                        "--database-url postgres://app:***@127.0.0.1:1/billing plans list")
                .doesNotContain("FAKE_typed", "FAKE_other", "hunter2");
    }

    @Test
    void ctrlCOnWebhookServeIsAnInterruptionNotAServiceFailure() throws Exception {
        type("webhook-serve --port 0 --secret whsec_FAKE_shell_serve_1234\r");
        awaitScreen("webhook-serve listening on");
        type("\u0003");
        assertThat(awaitScreen("billing (test) [130]> ")).contains("^C cancelled");
        assertThat(shell.lastExit()).isEqualTo(130);
        type("plans validate\r"); // the next command that works clears it
        assertThat(awaitScreen("billing (test)> ")).contains("valid");
    }

    @Test
    void tabOffersNeitherShellNorCompletionAndOnlyPlansWithAPrice() throws Exception {
        // each listing is read up to the prompt after a marker command, so all of it is on screen
        type("s\t\t\u0015plans validate\r");
        String commands = awaitScreen("(test)> ");
        assertThat(commands).contains("status", "sync", "stripe:setup").doesNotContain("shell");

        type("complet\t\r"); // 'completion' was the only match: now nothing completes, and the word runs as typed
        assertThat(awaitScreen("(test) [2]> ")).contains("billing: Unexpected argument: 'complet'");

        type("checkout --account acme --plan \t\t\u0015plans validate\r");
        String plans = awaitScreen("(test)> ");
        assertThat(plans).contains("business", "credits_pack").doesNotContain("enterprise").doesNotContain("free");
    }

    @Test
    void ctrlCCancelsARunningCommandAndKeepsTheShell() throws Exception {
        FakeStripe fake = stripe.fake();
        fake.holdResponses(); // Stripe hangs: the command waits for an answer
        type("stripe:verify\r");
        fake.awaitRequest("GET", "/v1/prices", WAIT);
        type("\u0003");
        assertThat(awaitScreen("(test) [130]> ")).contains("cancelled");
        fake.releaseResponses();

        type("plans\u0003"); // Ctrl-C at the prompt clears the line
        type("plans list\r");
        assertThat(awaitScreen("(test)> ")).contains("credits_pack");
        assertThat(session).isNotDone();
    }

    @Test
    void thePromptShowsLiveInRedAndTestPlainly() throws Exception {
        Settings live = Settings.resolve(new Settings.Flags(null, null, null, "sk_live_FAKE_shell_3456", null, null, false, false, false),
                Map.of(), dir);
        String prompt = new Shell(terminal, Map.of(), dir, List.of(), live).prompt();
        assertThat(prompt).contains("LIVE").contains("\u001b[").contains("31"); // red
        Settings test = Settings.resolve(new Settings.Flags(null, null, null, "sk_test_FAKE_shell_3456", null, null, false, false, false),
                Map.of(), dir);
        assertThat(new Shell(terminal, Map.of(), dir, List.of(), test).prompt()).contains("(test)").doesNotContain("LIVE");
    }

    @Test
    void commandsInOneSessionShareOnePoolAndOneStripeClient() {
        try (dev.billingcli.Services services = new dev.billingcli.Services()) {
            Settings settings = Settings.resolve(new Settings.Flags(null, null, null, null, null, null, false, false, false), env, dir);
            dev.billingcli.App first = new dev.billingcli.App(settings, dir, m -> {}, services);
            dev.billingcli.App second = new dev.billingcli.App(settings, dir, m -> {}, services);
            assertThat(second.database()).isSameAs(first.database());
            assertThat(second.stripe()).isSameAs(first.stripe());
            assertThat(second.catalog()).isSameAs(first.catalog());
            first.close(); // one command ending does not close what the session keeps
            int one = second.database().jdbi().withHandle(h -> h.createQuery("select 1").mapTo(Integer.class).one());
            assertThat(one).isEqualTo(1);
        }
    }
}
