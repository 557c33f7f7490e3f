package dev.billingcli.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billingcli.CliRunner;
import dev.billingcli.CliRunner.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line contract of the spine: help, version, output formats, exit codes, configuration. */
class CliContractTest {
    @TempDir
    Path dir;

    @Test
    void noArgumentsPrintsHelpWithTheExitCodeTable() {
        Result r = CliRunner.withRepoPlans(dir).run();
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: billing").contains("plans").contains("Exit codes:")
                .contains("4   refused for safety");
        Result sub = new CliRunner(dir).run("plans", "list", "--help");
        assertThat(sub.out()).contains("Exit codes:").contains("--plans=FILE").contains("Examples:");
    }

    @Test
    void versionNamesToolStripeJavaAndApiVersion() {
        Result r = new CliRunner(dir).run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("stripe-java 33.").contains("Stripe API " + com.stripe.Stripe.API_VERSION);
    }

    @Test
    void plansListPrintsTheCatalog() {
        Result r = CliRunner.withRepoPlans(dir).run("plans", "list");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("pro").contains("9.90").contains("99.00").contains("contact sales@example.com");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void jsonOutputIsValidJsonAloneOnStdout() throws Exception {
        Result r = CliRunner.withRepoPlans(dir).run("-o", "json", "plans", "list");
        assertThat(r.code()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("currency").asText()).isEqualTo("eur");
        assertThat(json.get("plans").get(1).get("prices").get("monthly").get("unitAmount").asLong()).isEqualTo(990);
        assertThat(json.get("plans").get(1).get("prices").get("monthly").get("lookupKey").asText()).isEqualTo("pro_monthly");
        // the option works after the subcommand too (inherited options)
        Result after = new CliRunner(dir).run("plans", "list", "--output", "JSON");
        assertThat(new ObjectMapper().readTree(after.out()).get("plans").size()).isEqualTo(5);
    }

    @Test
    void badPlansFileIsOneLineWithPositionAndExit2() {
        CliRunner cli = CliRunner.withRepoPlans(dir);
        cli.write("bad.yaml", "currency: eur\nplans:\n  pro:\n    name: Pro\n    prices: { monthly: \"9,90\" }\n");
        Result r = cli.run("--plans", "bad.yaml", "plans", "list");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly(
                "billing: bad.yaml:5:24: plans.pro.prices.monthly: \"9,90\" is not a decimal amount (use \"9.90\")");
        assertThat(r.out()).isEmpty();

        cli.write("typo.yaml", "currency: eur\nplans:\n  pro:\n    name: Pro\n    prics: { monthly: \"9.90\" }\n");
        Result typo = cli.run("--plans", "typo.yaml", "plans", "validate");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err().lines()).containsExactly("billing: typo.yaml:5:5: plans.pro.prics: unknown key \"prics\" (did you mean \"prices\"?)");
    }

    @Test
    void validateReportsInTableAndJson() throws Exception {
        CliRunner cli = CliRunner.withRepoPlans(dir);
        Result ok = cli.run("plans", "validate");
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).contains("plans.yaml is valid: 5 plans, 5 Stripe prices in EUR");
        cli.write("bad.yaml", "currency: eur\nplans: { pro: { name: Pro, prices: { monthly: \"1.234\" } } }\n");
        Result bad = cli.run("-o", "json", "--plans", "bad.yaml", "plans", "validate");
        assertThat(bad.code()).isEqualTo(2);
        JsonNode json = new ObjectMapper().readTree(bad.out());
        assertThat(json.get("valid").asBoolean()).isFalse();
        assertThat(json.get("errors").get(0).asText()).startsWith("bad.yaml:2:");
    }

    @Test
    void badFlagIsOneLineWithUsageHintAndExit2() {
        Result r = CliRunner.withRepoPlans(dir).run("plans", "list", "--colour");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("Unknown option: '--colour'").contains("see 'billing plans list --help'");
        Result unknownCommand = new CliRunner(dir).run("plan", "list");
        assertThat(unknownCommand.code()).isEqualTo(2);
        assertThat(unknownCommand.err()).contains("did you mean plans");
        Result badEnum = new CliRunner(dir).run("-o", "yaml", "plans", "list");
        assertThat(badEnum.code()).isEqualTo(2);
    }

    @Test
    void aTypoInAnOptionNameOrAMissingOptionNameIsNamedNotReportedAsAMissingOption() {
        Result typo = new CliRunner(dir).run("status", "--acount", "acme");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err().lines()).containsExactly(
                "billing: Unknown option: '--acount' (did you mean --account?); see 'billing status --help'");
        Result joined = new CliRunner(dir).run("status", "--acount=acme");
        assertThat(joined.err().lines()).containsExactly(
                "billing: Unknown option: '--acount' (did you mean --account?); see 'billing status --help'");
        Result positional = new CliRunner(dir).run("status", "acme");
        assertThat(positional.code()).isEqualTo(2);
        assertThat(positional.err().lines()).containsExactly(
                "billing: Unexpected argument: 'acme' (did you mean --account acme?); see 'billing status --help'");
        Result missing = new CliRunner(dir).run("status");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().lines()).containsExactly(
                "billing: Missing required option: '--account=ID'; see 'billing status --help'");
    }

    @Test
    void missingPlansFileIsExit2WithoutStackTrace() {
        Result r = new CliRunner(dir).run("plans", "list");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("billing: plans.yaml: no such file (give --plans FILE or set BILLING_PLANS)\n");
    }

    @Test
    void configurationComesFromFlagThenEnvironmentThenDotEnv() {
        CliRunner cli = new CliRunner(dir);
        cli.write("a.yaml", "currency: eur\nplans: { a_plan: { name: From A } }\n");
        cli.write("b.yaml", "currency: eur\nplans: { b_plan: { name: From B } }\n");
        cli.write("c.yaml", "currency: eur\nplans: { c_plan: { name: From C } }\n");
        cli.write(".env", "# local settings\nBILLING_PLANS=\"a.yaml\"\nSTRIPE_SECRET_KEY=sk_test_FAKE_dotenv\n");
        assertThat(cli.run("plans", "list").out()).contains("a_plan");
        cli.env("BILLING_PLANS", "b.yaml");
        assertThat(cli.run("plans", "list").out()).contains("b_plan");
        assertThat(cli.run("--plans", "c.yaml", "plans", "list").out()).contains("c_plan");
    }

    @Test
    void helpAsAWordIsHelp() {
        Result root = new CliRunner(dir).run("help");
        assertThat(root.code()).isZero();
        assertThat(root.out()).startsWith("Usage: billing ");
        Result status = new CliRunner(dir).run("help", "status");
        assertThat(status.code()).isZero();
        assertThat(status.out()).startsWith("Usage: billing status");
        Result afterOptions = new CliRunner(dir).run("--plans", "plans.yaml", "-o", "json", "help", "status");
        assertThat(afterOptions.code()).as(afterOptions.toString()).isZero();
        assertThat(afterOptions.out()).isEqualTo(status.out());
    }

    @Test
    void completionCoversCommandsAndOptions() {
        Result bash = new CliRunner(dir).run("completion", "bash");
        assertThat(bash.code()).isZero();
        assertThat(bash.out()).contains("complete -F").contains("plans").contains("--database-url").contains("validate");
        // every command and its options, and the plan ids of plans.yaml (the process's working directory)
        for (String command : BillingCommand.COMMANDS.keySet()) {
            assertThat(bash.out()).as(command).contains(command);
        }
        assertThat(bash.out()).contains("--allow-second", "--flow", "--at-period-end", "--dry-run", "--feature", "--since");
        // the plans --plan accepts: those with a price
        assertThat(bash.out()).containsPattern("PLAN_option_args=\\(\"pro\" \"business\" \"credits_pack\"\\)");
        Result zsh = new CliRunner(dir).run("completion", "zsh");
        assertThat(zsh.out()).startsWith("#compdef billing").contains("bashcompinit");
    }
}
