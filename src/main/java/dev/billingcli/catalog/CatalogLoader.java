package dev.billingcli.catalog;

import com.fasterxml.jackson.core.JsonToken;
import dev.billingcli.BillingException;
import dev.billingcli.ExitCode;
import dev.billingcli.catalog.YamlTree.Entry;
import dev.billingcli.catalog.YamlTree.ListNode;
import dev.billingcli.catalog.YamlTree.MapNode;
import dev.billingcli.catalog.YamlTree.Node;
import dev.billingcli.catalog.YamlTree.Pos;
import dev.billingcli.catalog.YamlTree.Scalar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Loads and validates plans.yaml. Unknown keys are errors (a typo must not pass silently), and every
 * error names file, line, column and field: {@code plans.yaml:7:25: plans.pro.prices.monthly: "9,90"
 * is not a decimal amount (use "9.90")}. All errors are collected, so one run shows them all.
 */
public final class CatalogLoader {
    private static final Pattern PLAN_ID = Pattern.compile("[a-z0-9_]+");
    private static final Pattern CURRENCY = Pattern.compile("[a-z]{3}");
    private static final Set<String> TOP_KEYS = Set.of("currency", "currencies", "tax_behavior", "grace_period_days", "plans", "checkout",
            "portal", "coupons", "promotion_codes");
    /** Stripe's {@code tax_behavior} values a price can be set to (a price's {@code unspecified} is where it starts). */
    public static final List<String> TAX_BEHAVIORS = List.of("exclusive", "inclusive");
    private static final Set<String> PLAN_KEYS =
            Set.of("name", "description", "prices", "trial_days", "credits", "limits", "features", "contact");
    private static final Set<String> CHECKOUT_KEYS = Set.of("success_url", "cancel_url", "return_url", "automatic_tax");
    private static final Set<String> PORTAL_KEYS = Set.of(
            "headline", "return_url", "payment_method_update", "invoice_history", "cancel", "switch_plans", "proration");
    private static final Set<String> COUPON_KEYS = Set.of("percent_off", "amount_off", "duration", "months", "applies_to");
    private static final Set<String> CODE_KEYS = Set.of("coupon", "max_redemptions", "expires", "first_time_only");
    /** A coupon key; {@code _v<n>} is kept for the versions stripe:setup makes when terms change. */
    private static final Pattern COUPON_KEY = Pattern.compile("[a-z0-9_]+");
    private static final Pattern VERSIONED = Pattern.compile(".*_v\\d+");
    /** Stripe's characters for a customer-facing code. */
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9-]{1,500}");
    private static final Pattern PERCENT = Pattern.compile("\\d{1,3}(\\.\\d{1,2})?");
    private static final Set<String> CANCEL_KEYS = Set.of("enabled", "mode", "reasons");
    /** Stripe's {@code features.subscription_cancel.cancellation_reason.options} values. */
    public static final List<String> CANCEL_REASONS = List.of(
            "too_expensive", "missing_features", "switched_service", "unused", "customer_service", "too_complex",
            "low_quality", "other");
    private static final List<String> PRORATIONS = List.of("create_prorations", "none", "always_invoice");

    /** plans.yaml failed validation; the message holds one line per problem. */
    public static final class InvalidCatalogException extends BillingException {
        private final List<String> problems;

        InvalidCatalogException(List<String> problems) {
            super(ExitCode.INVALID_INPUT, String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    private final String file;
    private final List<String> errors = new ArrayList<>();
    /** {@code currencies:} was not a list: its error is enough, the prices' amounts are not judged against it. */
    private boolean currenciesUnreadable;

    private CatalogLoader(String displayName) {
        this.file = displayName;
    }

    /** @param displayName how the file is named in error messages (as the user gave it) */
    public static Catalog load(Path path, String displayName) {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw BillingException.invalid(displayName + ": no such file (give --plans FILE or set BILLING_PLANS)");
        } catch (IOException e) {
            throw BillingException.invalid(displayName + ": cannot read: " + e.getMessage());
        }
        return parse(text, displayName);
    }

    public static Catalog parse(String text, String displayName) {
        CatalogLoader loader = new CatalogLoader(displayName);
        Node root;
        try {
            root = YamlTree.parse(text);
        } catch (YamlTree.SyntaxError e) {
            throw new InvalidCatalogException(List.of(displayName + ":" + e.pos.line() + ":" + e.pos.column() + ": " + e.getMessage()));
        }
        Catalog catalog = loader.catalog(root);
        if (!loader.errors.isEmpty()) {
            throw new InvalidCatalogException(loader.errors);
        }
        return catalog;
    }

    private Catalog catalog(Node root) {
        MapNode top = map(root, "(top level)");
        if (top == null) {
            return null;
        }
        checkKeys(top, "", TOP_KEYS);
        String currency = "eur";
        Scalar cur = scalar(top, "currency", "", true);
        if (cur != null) {
            String problem = currencyProblem(cur.text());
            if (problem != null) {
                error(cur.pos(), "currency", problem);
            } else {
                currency = cur.text().toLowerCase(Locale.ROOT);
            }
        }
        List<String> currencies = currencies(top, currency);
        String taxBehavior = null;
        Scalar tax = scalar(top, "tax_behavior", "", false);
        if (tax != null) {
            if (TAX_BEHAVIORS.contains(tax.text())) {
                taxBehavior = tax.text();
            } else {
                error(tax.pos(), "tax_behavior", "\"" + tax.text() + "\" is not exclusive or inclusive"
                        + suggestion(tax.text(), TAX_BEHAVIORS, "").stripTrailing());
            }
        }
        int grace = (int) integer(top, "grace_period_days", "", 0, 0, 365);
        Map<String, Plan> plans = new LinkedHashMap<>();
        Entry plansEntry = top.entries().get("plans");
        if (plansEntry == null) {
            error(top.pos(), "plans", "missing (at least one plan is needed)");
        } else {
            MapNode plansNode = map(plansEntry.value(), "plans");
            if (plansNode != null) {
                if (plansNode.entries().isEmpty()) {
                    error(plansNode.pos(), "plans", "is empty (at least one plan is needed)");
                }
                for (Entry e : plansNode.entries().values()) {
                    Plan plan = plan(e, currency, currencies, taxBehavior);
                    if (plan != null) {
                        plans.put(plan.id(), plan);
                    }
                }
            }
        }
        Catalog.CheckoutDefaults checkout = checkout(top);
        Catalog.Portal portal = portal(top, plans);
        Map<String, Coupon> coupons = coupons(top, plans, currency);
        Map<String, PromotionCode> codes = promotionCodes(top, coupons);
        return new Catalog(currency, currencies, taxBehavior, grace, Collections.unmodifiableMap(plans), checkout, portal, coupons,
                codes);
    }

    /** Why a currency code cannot be used, or null: three letters, and an ISO 4217 code (as the JDK knows them). */
    private static String currencyProblem(String text) {
        String code = text.toLowerCase(Locale.ROOT);
        if (!CURRENCY.matcher(code).matches()) {
            return "\"" + text + "\" is not a three-letter ISO currency code";
        }
        try {
            java.util.Currency.getInstance(code.toUpperCase(Locale.ROOT));
            return null;
        } catch (IllegalArgumentException e) {
            return "\"" + text + "\" is not an ISO 4217 currency code";
        }
    }

    /** {@code currencies: [usd, gbp]}: the other currencies every price also has. */
    private List<String> currencies(MapNode top, String currency) {
        Entry e = top.entries().get("currencies");
        if (e == null || e.value() instanceof Scalar sc && sc.isNull()) {
            return List.of();
        }
        if (!(e.value() instanceof ListNode list)) {
            error(e.value().pos(), "currencies", "must be a list such as [usd, gbp]");
            currenciesUnreadable = true;
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Node item : list.items()) {
            if (!(item instanceof Scalar s) || s.isNull()) {
                error(item.pos(), "currencies", "items must be currency codes such as usd");
                continue;
            }
            String problem = currencyProblem(s.text());
            String code = s.text().toLowerCase(Locale.ROOT);
            if (problem != null) {
                error(s.pos(), "currencies", problem);
            } else if (code.equals(currency)) {
                error(s.pos(), "currencies", code + " is already the catalog's currency (list only the others)");
            } else if (out.contains(code)) {
                error(s.pos(), "currencies", code + " is listed twice");
            } else {
                out.add(code);
            }
        }
        return List.copyOf(out);
    }

    private Plan plan(Entry entry, String currency, List<String> currencies, String taxBehavior) {
        String id = entry.key();
        String path = "plans." + id;
        if (!PLAN_ID.matcher(id).matches()) {
            error(entry.keyPos(), path, "plan id \"" + id + "\" must match [a-z0-9_]+");
            return null;
        }
        MapNode node = map(entry.value(), path);
        if (node == null) {
            return null;
        }
        checkKeys(node, path + ".", PLAN_KEYS);
        Scalar name = scalar(node, "name", path + ".", true);
        Scalar description = scalar(node, "description", path + ".", false);
        Scalar contact = scalar(node, "contact", path + ".", false);
        Map<Cycle, PlanPrice> prices = new EnumMap<>(Cycle.class);
        Entry pricesEntry = node.entries().get("prices");
        if (pricesEntry != null) {
            MapNode pricesNode = map(pricesEntry.value(), path + ".prices");
            if (pricesNode != null) {
                Entry previous = null;
                for (Entry p : pricesNode.entries().values()) {
                    String field = path + ".prices." + p.key();
                    Cycle cycle = Cycle.fromKey(p.key());
                    if (cycle == null && splitAtComma(previous, p)) {
                        // { monthly: 9,90 }: in a flow mapping the comma ends the entry, leaving "monthly: 9" and a key "90"
                        Cycle before = Cycle.fromKey(previous.key());
                        prices.remove(before);
                        String written = ((Scalar) previous.value()).text() + "," + p.key();
                        error(previous.value().pos(), path + ".prices." + previous.key(), written
                                + " is not a decimal amount: inside { } a comma separates entries (use \""
                                + written.replace(',', '.') + "\")");
                        previous = p;
                        continue;
                    }
                    previous = p;
                    if (cycle == null) {
                        error(p.keyPos(), field, "unknown cycle \"" + p.key() + "\"" + suggestion(p.key(),
                                java.util.Arrays.stream(Cycle.values()).map(Cycle::key).toList(), "(use monthly, yearly or once)"));
                        continue;
                    }
                    if (p.value() instanceof MapNode amounts) {
                        PlanPrice price = multiCurrencyPrice(id, cycle, field, amounts, currency, currencies, taxBehavior);
                        if (price != null) {
                            prices.put(cycle, price);
                        }
                        continue;
                    }
                    if (!(p.value() instanceof Scalar s) || s.isNull() || s.token() == JsonToken.VALUE_TRUE
                            || s.token() == JsonToken.VALUE_FALSE) {
                        error(p.value().pos(), field, "must be a decimal amount such as \"9.90\"");
                        continue;
                    }
                    if (!currencies.isEmpty()) {
                        error(s.pos(), field, "one amount, but currencies lists " + String.join(", ", currencies)
                                + ": give every currency, such as { " + currency + ": \"" + s.text() + "\", "
                                + String.join(", ", currencies.stream().map(c -> c + ": …").toList()) + " }");
                        continue;
                    }
                    try {
                        prices.put(cycle, new PlanPrice(id, cycle, currency, Money.toMinor(s.text(), currency), Map.of(), taxBehavior));
                    } catch (IllegalArgumentException ex) {
                        error(s.pos(), field, ex.getMessage());
                    }
                }
                if (prices.containsKey(Cycle.ONCE) && (prices.containsKey(Cycle.MONTHLY) || prices.containsKey(Cycle.YEARLY))) {
                    error(pricesNode.pos(), path + ".prices", "a plan is either recurring (monthly, yearly) or one-time (once), not both");
                }
            }
        }
        int trialDays = (int) integer(node, "trial_days", path + ".", 0, 0, 730);
        if (trialDays > 0 && prices.keySet().stream().noneMatch(Cycle::recurring)) {
            error(node.entries().get("trial_days").value().pos(), path + ".trial_days", "a trial needs a monthly or yearly price");
        }
        long credits = integer(node, "credits", path + ".", 0, 0, Long.MAX_VALUE);
        Map<String, Long> limits = limits(node, path);
        List<String> features = stringList(node, "features", path + ".");
        if (contact != null && !prices.isEmpty()) {
            error(contact.pos(), path + ".contact", "a plan sold by hand (contact) has no prices");
        }
        return new Plan(id, name == null ? id : name.text(), description == null ? null : description.text(),
                Collections.unmodifiableMap(prices), trialDays, credits, limits, features,
                contact == null ? null : contact.text());
    }

    /** {@code monthly: { eur: "9.90", usd: "10.90" }}: the catalog's currency and exactly the listed others. */
    private PlanPrice multiCurrencyPrice(String planId, Cycle cycle, String field, MapNode amounts, String currency,
            List<String> currencies, String taxBehavior) {
        Long own = null;
        Map<String, Long> options = new LinkedHashMap<>();
        boolean ok = true;
        java.util.Set<String> seen = new java.util.HashSet<>();
        Entry previous = null;
        for (Entry a : amounts.entries().values()) {
            String code = a.key().toLowerCase(Locale.ROOT);
            String at = field + "." + a.key();
            Entry before = previous;
            previous = a;
            if (before != null && a.key().matches("\\d+") && a.value() instanceof Scalar v && v.isNull()
                    && before.value() instanceof Scalar amount && amount.token() == JsonToken.VALUE_NUMBER_INT
                    && amount.pos().line() == a.keyPos().line()) {
                // { eur: 9,90 }: in a flow mapping the comma ends the entry, leaving "eur: 9" and a key "90"
                String written = amount.text() + "," + a.key();
                error(amount.pos(), field + "." + before.key(), written + " is not a decimal amount: inside { } a comma separates entries (use \""
                        + written.replace(',', '.') + "\")");
                return null;
            }
            if (!seen.add(code)) {
                error(a.keyPos(), at, code + " is given twice");
                ok = false;
                continue;
            }
            String problem = currencyProblem(a.key());
            if (problem != null) {
                error(a.keyPos(), at, problem);
                ok = false;
                continue;
            }
            if (!code.equals(currency) && !currencies.contains(code)) {
                if (currenciesUnreadable) {
                    ok = false;
                    continue;
                }
                error(a.keyPos(), at, code + " is not one of the catalog's currencies (" + String.join(", ", allOf(currency, currencies))
                        + "): add it to currencies: or remove this amount");
                ok = false;
                continue;
            }
            if (!(a.value() instanceof Scalar s) || s.isNull() || s.token() == JsonToken.VALUE_TRUE || s.token() == JsonToken.VALUE_FALSE) {
                error(a.value().pos(), at, "must be a decimal amount such as \"9.90\"");
                ok = false;
                continue;
            }
            try {
                long minor = Money.toMinor(s.text(), code);
                if (code.equals(currency)) {
                    own = minor;
                } else {
                    options.put(code, minor);
                }
            } catch (IllegalArgumentException ex) {
                error(s.pos(), at, ex.getMessage());
                ok = false;
            }
        }
        List<String> missing = new ArrayList<>();
        if (own == null && ok) {
            missing.add(currency);
        }
        for (String c : currencies) {
            if (!options.containsKey(c) && amounts.entries().keySet().stream().noneMatch(k -> k.equalsIgnoreCase(c))) {
                missing.add(c);
            }
        }
        if (!missing.isEmpty()) {
            error(amounts.pos(), field, "no amount in " + String.join(", ", missing) + " (every price has one in each of "
                    + String.join(", ", allOf(currency, currencies)) + ")");
            return null;
        }
        if (!ok || own == null) {
            return null;
        }
        Map<String, Long> ordered = new LinkedHashMap<>();
        currencies.forEach(c -> ordered.put(c, options.get(c)));
        return new PlanPrice(planId, cycle, currency, own, ordered, taxBehavior);
    }

    private static List<String> allOf(String currency, List<String> currencies) {
        List<String> all = new ArrayList<>();
        all.add(currency);
        all.addAll(currencies);
        return all;
    }

    private Map<String, Long> limits(MapNode plan, String path) {
        Map<String, Long> limits = new LinkedHashMap<>();
        Entry e = plan.entries().get("limits");
        if (e == null) {
            return limits;
        }
        MapNode node = map(e.value(), path + ".limits");
        if (node == null) {
            return limits;
        }
        for (Entry l : node.entries().values()) {
            String field = path + ".limits." + l.key();
            if (!PLAN_ID.matcher(l.key()).matches()) {
                error(l.keyPos(), field, "limit name must match [a-z0-9_]+");
            } else if (l.value() instanceof Scalar s && "unlimited".equals(s.text())) {
                limits.put(l.key(), Plan.UNLIMITED);
            } else if (l.value() instanceof Scalar s && s.token() == JsonToken.VALUE_NUMBER_INT && Long.parseLong(s.text()) >= 0) {
                limits.put(l.key(), Long.parseLong(s.text()));
            } else {
                error(l.value().pos(), field, "must be a whole number ≥ 0 or \"unlimited\"");
            }
        }
        return Collections.unmodifiableMap(limits);
    }

    private Catalog.CheckoutDefaults checkout(MapNode top) {
        Entry e = top.entries().get("checkout");
        if (e == null) {
            return Catalog.CheckoutDefaults.NONE;
        }
        MapNode node = map(e.value(), "checkout");
        if (node == null) {
            return Catalog.CheckoutDefaults.NONE;
        }
        checkKeys(node, "checkout.", CHECKOUT_KEYS);
        return new Catalog.CheckoutDefaults(url(node, "success_url", "checkout."), url(node, "cancel_url", "checkout."),
                url(node, "return_url", "checkout."), bool(node, "automatic_tax", "checkout.", false));
    }

    private Catalog.Portal portal(MapNode top, Map<String, Plan> plans) {
        Entry e = top.entries().get("portal");
        if (e == null) {
            return null;
        }
        MapNode node = map(e.value(), "portal");
        if (node == null) {
            return null;
        }
        checkKeys(node, "portal.", PORTAL_KEYS);
        Scalar headline = scalar(node, "headline", "portal.", false);
        String returnUrl = url(node, "return_url", "portal.");
        boolean pm = bool(node, "payment_method_update", "portal.", true);
        boolean invoices = bool(node, "invoice_history", "portal.", true);
        boolean cancel = false;
        String mode = "at_period_end";
        List<String> reasons = List.of();
        Entry c = node.entries().get("cancel");
        if (c != null) {
            MapNode cn = map(c.value(), "portal.cancel");
            if (cn != null) {
                checkKeys(cn, "portal.cancel.", CANCEL_KEYS);
                cancel = bool(cn, "enabled", "portal.cancel.", true);
                Scalar m = scalar(cn, "mode", "portal.cancel.", false);
                if (m != null) {
                    if (!List.of("at_period_end", "immediately").contains(m.text())) {
                        error(m.pos(), "portal.cancel.mode", "\"" + m.text() + "\" is not one of at_period_end, immediately");
                    } else {
                        mode = m.text();
                    }
                }
                reasons = stringList(cn, "reasons", "portal.cancel.");
                for (String r : reasons) {
                    if (!CANCEL_REASONS.contains(r)) {
                        error(cn.entries().get("reasons").value().pos(), "portal.cancel.reasons",
                                "\"" + r + "\" is not one of " + String.join(", ", CANCEL_REASONS));
                    }
                }
            }
        }
        List<String> switchPlans = stringList(node, "switch_plans", "portal.");
        for (String id : switchPlans) {
            Plan p = plans.get(id);
            if (p == null || !p.recurring()) {
                error(node.entries().get("switch_plans").value().pos(), "portal.switch_plans",
                        "\"" + id + "\" is not a plan with a monthly or yearly price");
            }
        }
        String proration = "create_prorations";
        Scalar pr = scalar(node, "proration", "portal.", false);
        if (pr != null) {
            if (!PRORATIONS.contains(pr.text())) {
                error(pr.pos(), "portal.proration", "\"" + pr.text() + "\" is not one of " + String.join(", ", PRORATIONS));
            } else {
                proration = pr.text();
            }
        }
        return new Catalog.Portal(headline == null ? null : headline.text(), returnUrl, pm, invoices, cancel, mode, reasons,
                switchPlans, proration);
    }

    private Map<String, Coupon> coupons(MapNode top, Map<String, Plan> plans, String currency) {
        Map<String, Coupon> coupons = new LinkedHashMap<>();
        Entry e = top.entries().get("coupons");
        // an empty "coupons:" has none
        MapNode node = e == null || e.value() instanceof Scalar sc && sc.isNull() ? null : map(e.value(), "coupons");
        if (node == null) {
            return Collections.unmodifiableMap(coupons);
        }
        for (Entry c : node.entries().values()) {
            String path = "coupons." + c.key();
            if (!COUPON_KEY.matcher(c.key()).matches() || VERSIONED.matcher(c.key()).matches()) {
                error(c.keyPos(), path, "coupon key \"" + c.key() + "\" must match [a-z0-9_]+ and not end in _v<number>"
                        + " (stripe:setup adds that when the terms change)");
                continue;
            }
            MapNode cn = map(c.value(), path);
            if (cn == null) {
                continue;
            }
            checkKeys(cn, path + ".", COUPON_KEYS);
            java.math.BigDecimal percent = null;
            Long amount = null;
            Scalar pct = scalar(cn, "percent_off", path + ".", false);
            Scalar amt = scalar(cn, "amount_off", path + ".", false);
            if (pct != null && amt != null) {
                error(amt.pos(), path + ".amount_off", "a coupon has percent_off or amount_off, not both");
            } else if (pct == null && amt == null && !cn.entries().containsKey("percent_off") && !cn.entries().containsKey("amount_off")) {
                error(cn.pos(), path, "needs percent_off (such as 20) or amount_off (such as \"5.00\")");
            } else if (pct != null) {
                java.math.BigDecimal p = PERCENT.matcher(pct.text()).matches() ? new java.math.BigDecimal(pct.text()) : null;
                if (p == null || p.signum() <= 0 || p.compareTo(java.math.BigDecimal.valueOf(100)) > 0) {
                    error(pct.pos(), path + ".percent_off", "\"" + pct.text() + "\" must be a number above 0 and at most 100"
                            + " (two decimals at most)");
                } else {
                    percent = p;
                }
            } else if (amt != null) {
                try {
                    amount = Money.toMinor(amt.text(), currency);
                    if (amount == 0) {
                        error(amt.pos(), path + ".amount_off", "must be more than 0");
                        amount = null;
                    }
                } catch (IllegalArgumentException ex) {
                    error(amt.pos(), path + ".amount_off", ex.getMessage());
                }
            }
            String duration = null;
            Scalar d = scalar(cn, "duration", path + ".", true);
            if (d != null) {
                if (Coupon.DURATIONS.contains(d.text())) {
                    duration = d.text();
                } else {
                    error(d.pos(), path + ".duration", "\"" + d.text() + "\" is not one of " + String.join(", ", Coupon.DURATIONS)
                            + suggestion(d.text(), Coupon.DURATIONS, "").stripTrailing());
                }
            }
            Entry monthsEntry = cn.entries().get("months");
            Integer months = null;
            if (monthsEntry != null) {
                months = (int) integer(cn, "months", path + ".", 0, 1, 1200);
                if (duration != null && !duration.equals("repeating")) {
                    error(monthsEntry.keyPos(), path + ".months", "months goes with duration: repeating only");
                    months = null;
                } else if (months == 0) {
                    months = null;
                }
            } else if ("repeating".equals(duration)) {
                error(d.pos(), path + ".months", "missing (duration: repeating needs months)");
            }
            List<String> appliesTo = stringList(cn, "applies_to", path + ".");
            for (String plan : appliesTo) {
                Plan p = plans.get(plan);
                if (p == null || p.prices().isEmpty()) {
                    error(cn.entries().get("applies_to").value().pos(), path + ".applies_to",
                            "\"" + plan + "\" is not a plan with prices" + suggestion(plan,
                                    plans.values().stream().filter(x -> !x.prices().isEmpty()).map(Plan::id).toList(), "").stripTrailing());
                }
            }
            if ((percent != null || amount != null) && duration != null && (!"repeating".equals(duration) || months != null)) {
                coupons.put(c.key(), new Coupon(c.key(), percent, amount, amount == null ? null : currency, duration, months,
                        appliesTo));
            }
        }
        return Collections.unmodifiableMap(coupons);
    }

    private Map<String, PromotionCode> promotionCodes(MapNode top, Map<String, Coupon> coupons) {
        Map<String, PromotionCode> codes = new LinkedHashMap<>();
        Entry e = top.entries().get("promotion_codes");
        // an empty "promotion_codes:" has none
        MapNode node = e == null || e.value() instanceof Scalar sc && sc.isNull() ? null : map(e.value(), "promotion_codes");
        if (node == null) {
            return Collections.unmodifiableMap(codes);
        }
        MapNode couponsNode = top.entries().get("coupons") != null && top.entries().get("coupons").value() instanceof MapNode m ? m : null;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Entry c : node.entries().values()) {
            String path = "promotion_codes." + c.key();
            if (!CODE.matcher(c.key()).matches()) {
                error(c.keyPos(), path, "code \"" + c.key() + "\" may hold only letters, digits and dashes");
                continue;
            }
            if (!seen.add(c.key().toUpperCase(Locale.ROOT))) {
                error(c.keyPos(), path, "the same code as another one (Stripe compares codes regardless of case)");
                continue;
            }
            MapNode cn = map(c.value(), path);
            if (cn == null) {
                continue;
            }
            checkKeys(cn, path + ".", CODE_KEYS);
            Scalar coupon = scalar(cn, "coupon", path + ".", true);
            boolean couponOk = coupon != null && coupons.containsKey(coupon.text());
            if (coupon != null && !couponOk && (couponsNode == null || !couponsNode.entries().containsKey(coupon.text()))) {
                error(coupon.pos(), path + ".coupon", "no coupon \"" + coupon.text() + "\" in coupons:"
                        + suggestion(coupon.text(), coupons.keySet(), "").stripTrailing());
            }
            Long max = null;
            if (cn.entries().containsKey("max_redemptions")) {
                max = integer(cn, "max_redemptions", path + ".", 0, 1, Long.MAX_VALUE);
                max = max == 0 ? null : max;
            }
            java.time.LocalDate expires = null;
            Scalar ex = scalar(cn, "expires", path + ".", false);
            if (ex != null) {
                try {
                    expires = java.time.LocalDate.parse(ex.text());
                } catch (java.time.format.DateTimeParseException bad) {
                    error(ex.pos(), path + ".expires", "\"" + ex.text() + "\" is not a date such as 2027-03-31");
                }
            }
            boolean firstTime = bool(cn, "first_time_only", path + ".", false);
            if (couponOk) {
                codes.put(c.key(), new PromotionCode(c.key(), coupon.text(), max, expires, firstTime));
            }
        }
        return Collections.unmodifiableMap(codes);
    }

    // ---- small typed readers; each records an error and returns a neutral value on bad input ----

    private MapNode map(Node node, String field) {
        if (node instanceof MapNode m) {
            return m;
        }
        error(node.pos(), field, "must be a mapping (key: value lines)");
        return null;
    }

    private void checkKeys(MapNode node, String prefix, Set<String> allowed) {
        for (Entry e : node.entries().values()) {
            if (!allowed.contains(e.key())) {
                error(e.keyPos(), prefix + e.key(), "unknown key \"" + e.key() + "\"" + suggestion(e.key(), allowed,
                        "(expected one of " + String.join(", ", allowed.stream().sorted().toList()) + ")"));
            }
        }
    }

    /** " (did you mean "prices"?)" for the closest known word within two edits, else " " + {@code otherwise}. */
    static String suggestion(String typed, java.util.Collection<String> known, String otherwise) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known.stream().sorted().toList()) {
            int d = editDistance(typed.toLowerCase(Locale.ROOT), k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.min(2, Math.max(1, typed.length() / 3))
                ? " (did you mean \"" + best + "\"?)" : " " + otherwise;
    }

    private static int editDistance(String a, String b) {
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            row[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int above = row[j];
                row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.length()];
    }

    /** Whether {@code entry} is the digits after a comma of the previous entry's amount, as YAML's flow style splits them. */
    private static boolean splitAtComma(Entry previous, Entry entry) {
        return previous != null && Cycle.fromKey(previous.key()) != null && entry.key().matches("\\d+")
                && entry.value() instanceof Scalar v && v.isNull()
                && previous.value() instanceof Scalar amount && amount.token() == JsonToken.VALUE_NUMBER_INT
                && amount.pos().line() == entry.keyPos().line();
    }

    private Scalar scalar(MapNode node, String key, String prefix, boolean required) {
        Entry e = node.entries().get(key);
        if (e == null) {
            if (required) {
                error(node.pos(), prefix + key, "missing");
            }
            return null;
        }
        if (e.value() instanceof Scalar s && !s.isNull() && !s.text().isBlank()) {
            return s;
        }
        error(e.value().pos(), prefix + key, "must be a non-empty text");
        return null;
    }

    private String url(MapNode node, String key, String prefix) {
        Scalar s = scalar(node, key, prefix, false);
        if (s == null) {
            return null;
        }
        if (!s.text().startsWith("https://") && !s.text().startsWith("http://")) {
            error(s.pos(), prefix + key, "\"" + s.text() + "\" is not an http(s) URL");
            return null;
        }
        return s.text();
    }

    private long integer(MapNode node, String key, String prefix, long dflt, long min, long max) {
        Entry e = node.entries().get(key);
        if (e == null) {
            return dflt;
        }
        if (e.value() instanceof Scalar s && s.token() == JsonToken.VALUE_NUMBER_INT) {
            try {
                long v = Long.parseLong(s.text());
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the error below
            }
        }
        error(e.value().pos(), prefix + key, "must be a whole number from " + min + (max == Long.MAX_VALUE ? " up" : " to " + max));
        return dflt;
    }

    private boolean bool(MapNode node, String key, String prefix, boolean dflt) {
        Entry e = node.entries().get(key);
        if (e == null) {
            return dflt;
        }
        if (e.value() instanceof Scalar s && (s.token() == JsonToken.VALUE_TRUE || s.token() == JsonToken.VALUE_FALSE)) {
            return s.token() == JsonToken.VALUE_TRUE;
        }
        error(e.value().pos(), prefix + key, "must be true or false");
        return dflt;
    }

    private List<String> stringList(MapNode node, String key, String prefix) {
        Entry e = node.entries().get(key);
        if (e == null) {
            return List.of();
        }
        if (!(e.value() instanceof ListNode list)) {
            error(e.value().pos(), prefix + key, "must be a list such as [a, b]");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Node item : list.items()) {
            if (item instanceof Scalar s && !s.isNull()) {
                out.add(s.text());
            } else {
                error(item.pos(), prefix + key, "items must be texts");
            }
        }
        return List.copyOf(out);
    }

    private void error(Pos pos, String field, String message) {
        errors.add(file + ":" + pos.line() + ":" + pos.column() + ": " + field + ": " + message);
    }
}
