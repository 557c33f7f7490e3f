package dev.billingcli.fakestripe;

import static dev.billingcli.fakestripe.FakeStripe.filter;
import static dev.billingcli.fakestripe.FakeStripe.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The endpoints the support commands call: customers, Checkout and portal sessions, one subscription
 * (read, update, cancel), with Stripe's rules that matter to them (a canceled subscription cannot be
 * updated; {@code cancel_at} and {@code cancel_at_period_end} are not accepted together).
 */
final class SupportResources {
    private SupportResources() {}

    static void register(FakeStripe s) {
        customers(s);
        sessions(s);
        subscription(s);
        taxSettings(s);
    }

    /**
     * {@code /v1/tax/settings}, one per account: {@code pending} with {@code head_office} missing until a head office
     * is set (https://docs.stripe.com/tax/settings-api), then {@code active}.
     */
    private static void taxSettings(FakeStripe s) {
        s.route("GET", "/v1/tax/settings", (m, p) -> ok(taxSettingsAnswer(s)));
        s.route("POST", "/v1/tax/settings", (m, p) -> {
            if (p.get("head_office") instanceof Map<?, ?> office && office.get("address") instanceof Map<?, ?> address
                    && address.get("country") != null) {
                s.taxHeadOffice = (String) address.get("country");
            }
            return ok(taxSettingsAnswer(s));
        });
    }

    private static ObjectNode taxSettingsAnswer(FakeStripe s) {
        String country = s.taxHeadOffice;
        ObjectNode t = s.object().put("object", "tax.settings").put("livemode", false).put("status", country == null ? "pending" : "active");
        t.putObject("defaults").putNull("tax_behavior").putNull("tax_code");
        if (country == null) {
            t.putNull("head_office");
            t.putObject("status_details").putObject("pending").putArray("missing_fields").add("head_office");
        } else {
            ObjectNode address = t.putObject("head_office").putObject("address");
            address.putNull("city").put("country", country).putNull("line1").putNull("line2").putNull("postal_code").putNull("state");
            t.putObject("status_details").putObject("active");
        }
        return t;
    }

    /** An item's new price and quantity; a new interval starts a new period now (Stripe resets the billing cycle). */
    private static void updateItem(FakeStripe s, ObjectNode sub, Map<?, ?> change) throws FakeStripe.ApiError {
        ObjectNode item = null;
        for (JsonNode i : sub.at("/items/data")) {
            if (i.get("id").asText().equals(change.get("id"))) {
                item = (ObjectNode) i;
            }
        }
        if (item == null) {
            throw FakeStripe.invalid("Subscription item " + change.get("id") + " does not belong to this subscription.");
        }
        if (change.get("price") != null) {
            ObjectNode price = Resources.get(s.prices, "price", (String) change.get("price"));
            String before = item.at("/price/recurring/interval").asText();
            s.priceChanges.add(new FakeStripe.PriceChange(sub.get("id").asText(), item.at("/price/id").asText(), price.get("id").asText()));
            item.set("price", Resources.priceAnswer(price, false));
            if (!before.equals(price.at("/recurring/interval").asText())) {
                long start = s.now();
                item.put("current_period_start", start).put("current_period_end", start + periodSeconds(price));
                sub.put("billing_cycle_anchor", start);
            }
        }
        if (change.get("quantity") != null) {
            item.put("quantity", Long.parseLong((String) change.get("quantity")));
        }
    }

    /**
     * The coupons a {@code discounts} parameter names ({@code ""}: none): each entry a {@code coupon}, a
     * {@code promotion_code} (its id; an inactive code is refused) or an existing {@code discount}.
     */
    static List<String> coupons(FakeStripe s, Object discounts) throws FakeStripe.ApiError {
        List<String> found = new java.util.ArrayList<>();
        if (!(discounts instanceof List<?> list)) {
            return found;
        }
        for (Object o : list) {
            Map<?, ?> d = (Map<?, ?>) o;
            if (d.get("coupon") != null) {
                ObjectNode c = s.coupons.get((String) d.get("coupon"));
                if (c == null) {
                    throw FakeStripe.invalid("No such coupon: '" + d.get("coupon") + "'");
                }
                if (!c.path("valid").asBoolean(true)) {
                    throw FakeStripe.invalid("Coupon " + d.get("coupon") + " is no longer valid.");
                }
                found.add(c.get("id").asText());
            } else if (d.get("promotion_code") != null) {
                ObjectNode code = s.promotionCodes.get((String) d.get("promotion_code"));
                if (code == null) {
                    throw FakeStripe.invalid("No such promotion code: '" + d.get("promotion_code") + "'");
                }
                if (!code.get("active").asBoolean()) {
                    throw FakeStripe.invalid("This promotion code is inactive.");
                }
                found.add(code.at("/promotion/coupon").asText());
            } else if (d.get("discount") != null && s.discountCoupons.containsKey((String) d.get("discount"))) {
                found.add(s.discountCoupons.get((String) d.get("discount")));
            } else {
                throw FakeStripe.invalid("A discount needs one of coupon, promotion_code or discount.");
            }
        }
        return found;
    }

    /** What the coupons take off an amount, one after the other (percent off rounded half up, amount off in the same currency). */
    private static long discounted(FakeStripe s, List<String> coupons, long amount, String currency) {
        long off = 0;
        for (String id : coupons) {
            JsonNode c = s.coupons.get(id);
            if (c == null) {
                continue;
            }
            long left = amount - off;
            if (c.hasNonNull("percent_off")) {
                off += new java.math.BigDecimal(left).multiply(c.get("percent_off").decimalValue()).movePointLeft(2)
                        .setScale(0, java.math.RoundingMode.HALF_UP).longValue();
            } else if (c.hasNonNull("amount_off") && currency.equals(c.path("currency").asText())) {
                off += Math.min(left, c.get("amount_off").asLong());
            }
        }
        return off;
    }

    private static long periodSeconds(JsonNode price) {
        return price.at("/recurring/interval").asText().equals("year") ? 365 * 86_400L : 30 * 86_400L;
    }

    /**
     * {@code POST /v1/invoices/create_preview} for a subscription change: the next invoice with its proration
     * lines (an unused-time credit for the old price, a remaining-time charge for the new one, prorated by the
     * share of the period left at {@code proration_date}) and the next period at the new price. Stripe's
     * arithmetic has more cases (taxes, discounts, billing cycle resets); the shapes are Stripe's.
     */
    private static ObjectNode preview(FakeStripe s, Map<String, Object> p) throws FakeStripe.ApiError {
        if (p.containsKey("schedule_details")) {
            return schedulePreview(s, p);
        }
        ObjectNode sub = Resources.get(s.subscriptions, "subscription", (String) p.get("subscription"));
        ObjectNode item = (ObjectNode) sub.at("/items/data/0");
        JsonNode oldPrice = item.get("price");
        long oldQuantity = item.get("quantity").asLong();
        JsonNode newPrice = oldPrice;
        long newQuantity = oldQuantity;
        long start = item.get("current_period_start").asLong();
        long end = item.get("current_period_end").asLong();
        long date = s.now();
        boolean prorate = true;
        if (p.get("subscription_details") instanceof Map<?, ?> d) {
            if (d.get("items") instanceof List<?> items && !items.isEmpty() && items.get(0) instanceof Map<?, ?> i) {
                if (i.get("price") != null) {
                    newPrice = Resources.get(s.prices, "price", (String) i.get("price"));
                }
                if (i.get("quantity") != null) {
                    newQuantity = Long.parseLong((String) i.get("quantity"));
                }
            }
            if (d.get("proration_date") != null) {
                date = Long.parseLong((String) d.get("proration_date"));
            }
            prorate = !"none".equals(d.get("proration_behavior"));
        }
        double left = Math.max(0, Math.min(1, (end - date) / (double) Math.max(1, end - start)));
        String currency = sub.get("currency").asText();
        ObjectNode invoice = previewInvoice(s, sub.get("customer").asText(), start, end).put("currency", currency);
        ObjectNode lines = invoice.putObject("lines").put("object", "list").put("has_more", false).put("url", "/v1/invoices/upcoming/lines");
        ArrayNode data = lines.putArray("data");
        long total = 0;
        if (prorate && (!newPrice.get("id").equals(oldPrice.get("id")) || newQuantity != oldQuantity)) {
            long credit = -Math.round(oldPrice.get("unit_amount").asLong() * oldQuantity * left);
            long charge = Math.round(newPrice.get("unit_amount").asLong() * newQuantity * left);
            data.add(line(s, sub, item, currency, credit, "Unused time on " + oldQuantity + " × " + oldPrice.path("nickname").asText(oldPrice.get("id").asText()), date, end, true));
            data.add(line(s, sub, item, currency, charge, "Remaining time on " + newQuantity + " × " + newPrice.path("nickname").asText(newPrice.get("id").asText()), date, end, true));
            total += credit + charge;
        }
        long next = newPrice.get("unit_amount").asLong() * newQuantity;
        data.add(line(s, sub, item, currency, next, newQuantity + " × " + newPrice.path("nickname").asText(newPrice.get("id").asText()), end,
                end + periodSeconds(newPrice), false));
        total += next;
        // the discounts asked for ("": none), else the subscription's own; they apply to the discountable (non-proration) line
        List<String> coupons = new java.util.ArrayList<>();
        if (p.containsKey("discounts")) {
            coupons.addAll(coupons(s, p.get("discounts")));
        } else {
            sub.path("discounts").forEach(d -> {
                String c = s.discountCoupons.get(d.asText());
                if (c != null) {
                    coupons.add(c);
                }
            });
        }
        long off = discounted(s, coupons, next, currency);
        ArrayNode amounts = invoice.putArray("total_discount_amounts");
        if (off > 0) {
            amounts.addObject().put("amount", off).put("discount", s.newId("di"));
        }
        invoice.put("subtotal", total).put("total", total - off).put("amount_due", Math.max(0, total - off))
                .put("amount_remaining", Math.max(0, total - off));
        return invoice;
    }

    /**
     * {@code create_preview} of a subscription schedule to be created for a customer ({@code schedule_details}): the
     * first invoice of its first phase, dated at that phase's start, one period of each item's price. Stripe's rules
     * kept: schedule_details "cannot be used with subscription or subscription_ prefixed fields"
     * (https://docs.stripe.com/api/invoices/create_preview?api-version=2025-08-27.basil), a new schedule needs its
     * customer, phases, a start date on the first phase, and a price on each item.
     */
    private static ObjectNode schedulePreview(FakeStripe s, Map<String, Object> p) throws FakeStripe.ApiError {
        if (p.containsKey("subscription") || p.keySet().stream().anyMatch(k -> k.startsWith("subscription_"))) {
            throw FakeStripe.invalid("You cannot use `schedule_details` with `subscription` or `subscription_details`.");
        }
        if (!(p.get("customer") instanceof String customer)) {
            throw FakeStripe.invalid("Missing required param: customer.");
        }
        Resources.get(s.customers, "customer", customer);
        Map<?, ?> d = (Map<?, ?>) p.get("schedule_details");
        if (!(d.get("phases") instanceof List<?> phases) || phases.isEmpty() || !(phases.get(0) instanceof Map<?, ?> first)) {
            throw FakeStripe.invalid("Missing required param: schedule_details[phases].");
        }
        if (!(first.get("start_date") instanceof String startText)) {
            throw FakeStripe.invalid("Missing required param: schedule_details[phases][0][start_date].");
        }
        long start = startText.equals("now") ? s.now() : Long.parseLong(startText);
        if (!(first.get("items") instanceof List<?> items) || items.isEmpty()) {
            throw FakeStripe.invalid("Missing required param: schedule_details[phases][0][items].");
        }
        String currency = null;
        long total = 0;
        ObjectNode invoice = previewInvoice(s, customer, start, start);
        ArrayNode data = invoice.putObject("lines").put("object", "list").put("has_more", false).put("url", "/v1/invoices/upcoming/lines")
                .putArray("data");
        for (Object o : items) {
            Map<?, ?> i = (Map<?, ?>) o;
            if (!(i.get("price") instanceof String priceId)) {
                throw FakeStripe.invalid("Missing required param: schedule_details[phases][0][items][][price].");
            }
            JsonNode price = Resources.get(s.prices, "price", priceId);
            long quantity = i.get("quantity") == null ? 1 : Long.parseLong((String) i.get("quantity"));
            currency = price.get("currency").asText();
            long amount = price.get("unit_amount").asLong() * quantity;
            ObjectNode l = s.object().put("id", s.newId("il_tmp")).put("object", "line_item").put("amount", amount).put("currency", currency)
                    .put("description", quantity + " × " + price.path("nickname").asText(priceId)).put("discountable", true).put("livemode", false);
            l.putObject("metadata");
            l.putObject("period").put("start", start).put("end", start + periodSeconds(price));
            ObjectNode details = l.putObject("parent").put("type", "subscription_item_details").putObject("subscription_item_details")
                    .putNull("invoice_item").put("proration", false).putNull("subscription")
                    .put("subscription_item", s.newId("si_tmp")); // a schedule not made yet: an item id of the preview
            details.putNull("proration_details");
            data.add(l);
            total += amount;
        }
        invoice.put("currency", currency);
        invoice.putArray("total_discount_amounts");
        invoice.put("subtotal", total).put("total", total).put("amount_due", total).put("amount_remaining", total);
        return invoice;
    }

    private static ObjectNode line(FakeStripe s, ObjectNode sub, ObjectNode item, String currency, long amount, String description, long from,
            long to, boolean proration) {
        ObjectNode l = s.object().put("id", s.newId("il_tmp")).put("object", "line_item").put("amount", amount).put("currency", currency)
                .put("description", description).put("discountable", !proration).put("livemode", false);
        l.putObject("metadata");
        l.putObject("period").put("start", from).put("end", to);
        ObjectNode parent = l.putObject("parent").put("type", "subscription_item_details");
        ObjectNode details = parent.putObject("subscription_item_details").putNull("invoice_item").put("proration", proration)
                .put("subscription", sub.get("id").asText()).put("subscription_item", item.get("id").asText());
        details.putNull("proration_details");
        return l;
    }

    /**
     * Subscription schedules as a change at the renewal uses them: made {@code from_subscription} (one
     * phase, the current period, the subscription's items), phases replaced by an update (a phase without
     * an end lasts one period of its price), released (the subscription keeps its state, loses the schedule).
     */
    private static void schedules(FakeStripe s) {
        s.route("POST", "/v1/subscription_schedules", (m, p) -> {
            String from = (String) p.get("from_subscription");
            if (from == null) {
                throw FakeStripe.invalid("the stand-in makes schedules from_subscription only");
            }
            ObjectNode sub = Resources.get(s.subscriptions, "subscription", from);
            if (!sub.path("schedule").isNull() && !sub.path("schedule").isMissingNode()) {
                throw FakeStripe.invalid("You cannot migrate a subscription that is already attached to a schedule: `"
                        + sub.path("schedule").asText() + "`.");
            }
            if (sub.get("status").asText().equals("canceled")) {
                throw FakeStripe.invalid("You cannot create a subscription schedule from a canceled subscription.");
            }
            JsonNode item = sub.at("/items/data/0");
            String id = s.newId("sub_sched");
            ObjectNode schedule = s.object().put("id", id).put("object", "subscription_schedule").put("created", s.now()).put("livemode", false)
                    .put("customer", sub.get("customer").asText()).put("end_behavior", "release").put("status", "active").put("subscription", from);
            schedule.putNull("application");
            schedule.putNull("canceled_at");
            schedule.putNull("completed_at");
            schedule.putNull("released_at");
            schedule.putNull("released_subscription");
            schedule.putNull("test_clock");
            schedule.putObject("metadata");
            ObjectNode defaults = schedule.putObject("default_settings").put("billing_cycle_anchor", "automatic")
                    .put("collection_method", "charge_automatically");
            defaults.putNull("application_fee_percent");
            defaults.putObject("automatic_tax").put("enabled", false);
            defaults.putNull("billing_thresholds");
            defaults.putNull("default_payment_method");
            defaults.putNull("description");
            defaults.putNull("invoice_settings");
            defaults.putNull("on_behalf_of");
            defaults.putNull("transfer_data");
            long start = item.get("current_period_start").asLong();
            long end = item.get("current_period_end").asLong();
            schedule.putArray("phases").add(phase(s, sub, start, end, item.at("/price/id").asText(), item.get("quantity").asLong(), null));
            schedule.putObject("current_phase").put("start_date", start).put("end_date", end);
            s.subscriptionSchedules.put(id, schedule);
            sub.put("schedule", id);
            return ok(schedule);
        });
        s.route("POST", "/v1/subscription_schedules/([^/]+)", (m, p) -> {
            ObjectNode schedule = Resources.get(s.subscriptionSchedules, "subscription_schedule", m.group(1));
            if (!schedule.get("status").asText().equals("active") && !schedule.get("status").asText().equals("not_started")) {
                throw FakeStripe.invalid("You cannot update a subscription schedule that is currently in the `" + schedule.get("status").asText()
                        + "` status. It must be in one of the following statuses: `not_started`, `active`.");
            }
            ObjectNode sub = Resources.get(s.subscriptions, "subscription", schedule.get("subscription").asText());
            if (p.get("end_behavior") != null) {
                schedule.put("end_behavior", (String) p.get("end_behavior"));
            }
            if (p.get("phases") instanceof List<?> phases) {
                ArrayNode out = s.array();
                long previousEnd = schedule.at("/phases/0/start_date").asLong();
                for (Object o : phases) {
                    Map<?, ?> ph = (Map<?, ?>) o;
                    Map<?, ?> item = (Map<?, ?>) ((List<?>) ph.get("items")).get(0);
                    ObjectNode price = Resources.get(s.prices, "price", (String) item.get("price"));
                    long start = ph.get("start_date") != null ? Long.parseLong((String) ph.get("start_date")) : previousEnd;
                    long end = ph.get("end_date") != null ? Long.parseLong((String) ph.get("end_date")) : start + periodSeconds(price);
                    long quantity = item.get("quantity") != null ? Long.parseLong((String) item.get("quantity")) : 1;
                    out.add(phase(s, sub, start, end, price.get("id").asText(), quantity, (Map<?, ?>) ph.get("metadata")));
                    previousEnd = end;
                }
                schedule.set("phases", out);
            }
            return ok(schedule);
        });
        s.route("POST", "/v1/subscription_schedules/([^/]+)/release", (m, p) -> {
            ObjectNode schedule = Resources.get(s.subscriptionSchedules, "subscription_schedule", m.group(1));
            if (!schedule.get("status").asText().equals("active") && !schedule.get("status").asText().equals("not_started")) {
                throw FakeStripe.invalid("You cannot release a subscription schedule that is currently in the `" + schedule.get("status").asText()
                        + "` status. It must be in one of the following statuses: `not_started`, `active`.");
            }
            String subscription = schedule.get("subscription").asText();
            schedule.put("status", "released").put("released_at", s.now()).put("released_subscription", subscription).putNull("subscription");
            schedule.putNull("current_phase");
            Resources.get(s.subscriptions, "subscription", subscription).putNull("schedule");
            return ok(schedule);
        });
    }

    private static ObjectNode phase(FakeStripe s, ObjectNode sub, long start, long end, String price, long quantity, Map<?, ?> metadata) {
        ObjectNode phase = s.object().put("start_date", start).put("end_date", end).put("currency", sub.get("currency").asText())
                .put("proration_behavior", "create_prorations");
        phase.putArray("add_invoice_items");
        phase.putNull("application_fee_percent");
        phase.putNull("billing_cycle_anchor");
        phase.putNull("billing_thresholds");
        phase.putNull("collection_method");
        phase.putNull("default_payment_method");
        phase.putArray("default_tax_rates");
        phase.putNull("description");
        phase.putNull("invoice_settings");
        phase.putNull("on_behalf_of");
        phase.putNull("transfer_data");
        phase.putNull("trial_end");
        phase.set("metadata", Resources.metadata(null, metadata));
        ObjectNode item = phase.putArray("items").addObject().put("price", price).put("quantity", quantity);
        item.putNull("billing_thresholds");
        item.putObject("metadata");
        item.putArray("tax_rates");
        return phase;
    }

    /** The draft invoice a preview answers (no id: it is never stored), without its currency and lines. */
    private static ObjectNode previewInvoice(FakeStripe s, String customer, long periodStart, long periodEnd) {
        ObjectNode invoice = Resources.invoice(s, customer, "draft", s.now(), periodStart, periodEnd, null);
        invoice.put("attempt_count", 0).put("attempted", false).put("amount_paid", 0);
        return invoice;
    }

    private static void customers(FakeStripe s) {
        s.route("POST", "/v1/customers", (m, p) -> {
            ObjectNode c = s.object().put("id", s.newId("cus")).put("object", "customer").put("created", s.now()).put("livemode", false);
            c.put("email", (String) p.get("email"));
            c.set("metadata", Resources.metadata(null, p.get("metadata")));
            s.customers.put(c.get("id").asText(), c);
            return ok(c);
        });
        s.route("GET", "/v1/customers/search", (m, p) -> {
            Matcher q = Pattern.compile("metadata\\['([^']+)'\\]:'([^']*)'").matcher(String.valueOf(p.get("query")));
            List<ObjectNode> found = q.find()
                    ? filter(s.customers, o -> q.group(2).equals(o.path("metadata").path(q.group(1)).asText(null)))
                    : List.of();
            return ok(Resources.searchResult(s, "/v1/customers/search", found));
        });
        s.route("GET", "/v1/customers/([^/]+)", (m, p) -> ok(Resources.get(s.customers, "customer", m.group(1))));
    }

    private static void sessions(FakeStripe s) {
        s.route("POST", "/v1/checkout/sessions", (m, p) -> {
            checkoutCurrency(s, p);
            checkoutTax(s, p);
            String id = s.newId("cs_test");
            ObjectNode session = s.object().put("id", id).put("object", "checkout.session").put("created", s.now())
                    .put("livemode", false).put("mode", (String) p.get("mode")).put("status", "open")
                    .put("customer", (String) p.get("customer")).put("client_reference_id", (String) p.get("client_reference_id"));
            String ui = (String) p.getOrDefault("ui_mode", "hosted_page");
            session.put("ui_mode", ui);
            if (ui.equals("embedded_page")) {
                session.putNull("url");
                session.put("client_secret", id + "_secret_fake");
            } else {
                session.put("url", "https://checkout.stripe.com/c/pay/" + id);
                session.putNull("client_secret");
            }
            session.set("metadata", Resources.metadata(null, p.get("metadata")));
            session.put("expires_at", session.get("created").asLong() + 86_400).put("payment_status", "unpaid");
            boolean tax = p.get("automatic_tax") instanceof Map<?, ?> at && "true".equals(at.get("enabled"));
            // Stripe Tax has no address yet: the customer enters it on the page
            session.putObject("automatic_tax").put("enabled", tax).put("status", tax ? "requires_location_inputs" : null);
            if (p.get("currency") != null) {
                session.put("currency", (String) p.get("currency"));
            }
            session.putArray("custom_fields");
            session.putObject("custom_text").putNull("shipping_address").putNull("submit");
            session.putArray("payment_method_types").add("card");
            session.putArray("shipping_options");
            s.checkoutSessions.put(id, session);
            return ok(session);
        });
        s.route("POST", "/v1/billing_portal/sessions", (m, p) -> {
            String customer = (String) p.get("customer");
            Resources.get(s.customers, "customer", customer);
            String configuration = portalConfiguration(s, (String) p.get("configuration"));
            String id = s.newId("bps");
            ObjectNode session = s.object().put("id", id).put("object", "billing_portal.session").put("created", s.now())
                    .put("livemode", false).put("customer", customer).put("return_url", (String) p.get("return_url"))
                    .put("url", "https://billing.stripe.com/p/session/" + id).put("configuration", configuration);
            if (p.get("flow_data") instanceof Map<?, ?> flow) {
                session.set("flow", flow(s, flow));
            }
            s.portalSessions.put(id, session);
            return ok(session);
        });
    }

    /**
     * {@code currency}: "Three-letter ISO currency code … Required in setup mode when payment_method_types is not set"; with
     * prices, each price must support it (its own currency or one of its currency_options), as Stripe refuses otherwise.
     */
    private static void checkoutCurrency(FakeStripe s, Map<String, Object> p) throws FakeStripe.ApiError {
        if (!(p.get("currency") instanceof String currency) || !(p.get("line_items") instanceof List<?> items)) {
            return;
        }
        for (Object o : items) {
            String priceId = (String) ((Map<?, ?>) o).get("price");
            ObjectNode price = Resources.get(s.prices, "price", priceId);
            boolean supported = price.get("currency").asText().equals(currency) || price.path("currency_options").has(currency);
            if (!supported) {
                throw FakeStripe.invalid("The price " + priceId + " does not support the currency " + currency
                        + ". Add it to the price's currency_options or choose another currency.");
            }
        }
    }

    /**
     * {@code automatic_tax[enabled]=true} with an existing customer: Checkout needs an address to compute the tax, the
     * customer's saved one, or the one entered on the page saved back with {@code customer_update[address]=auto} (or
     * {@code [shipping]}) (https://docs.stripe.com/tax/checkout). {@code customer_update} goes with {@code customer} only.
     */
    private static void checkoutTax(FakeStripe s, Map<String, Object> p) throws FakeStripe.ApiError {
        Map<?, ?> update = p.get("customer_update") instanceof Map<?, ?> u ? u : Map.of();
        if (!update.isEmpty() && p.get("customer") == null) {
            throw FakeStripe.invalid("customer_update can only be used with customer.");
        }
        boolean tax = p.get("automatic_tax") instanceof Map<?, ?> at && "true".equals(at.get("enabled"));
        if (tax && s.taxHeadOffice == null) {
            // a fresh account (wasp-lang/open-saas#78, echoCTF/echoCTF.RED#1070 quote Stripe's answer)
            throw FakeStripe.invalid("Stripe Tax has not been activated on your account. Please visit https://stripe.com/docs/tax/set-up"
                    + " to get started.");
        }
        if (!tax || p.get("customer") == null) {
            return;
        }
        ObjectNode customer = Resources.get(s.customers, "customer", (String) p.get("customer"));
        boolean hasAddress = customer.path("address").isObject() && customer.path("address").hasNonNull("country");
        if (!hasAddress && !"auto".equals(update.get("address")) && !"auto".equals(update.get("shipping"))) {
            throw FakeStripe.invalid("Automatic tax calculation in Checkout requires a valid address on the Customer. Add a valid"
                    + " address to the Customer or set either `customer_update[address]` or `customer_update[shipping]` to 'auto'"
                    + " to save the address entered in Checkout to the Customer.");
        }
    }

    /** A session's {@code flow} as Stripe answers it: the {@code flow_data} asked for, with Stripe's defaults filled in. */
    private static ObjectNode flow(FakeStripe s, Map<?, ?> data) {
        ObjectNode flow = s.object().put("type", (String) data.get("type"));
        ObjectNode after = flow.putObject("after_completion").put("type", "portal_homepage");
        after.putNull("hosted_confirmation");
        after.putNull("redirect");
        if (data.get("after_completion") instanceof Map<?, ?> a) {
            after.put("type", (String) a.get("type"));
            if (a.get("redirect") instanceof Map<?, ?> r) {
                after.putObject("redirect").put("return_url", (String) r.get("return_url"));
            }
            if (a.get("hosted_confirmation") instanceof Map<?, ?> h) {
                after.putObject("hosted_confirmation").put("custom_message", (String) h.get("custom_message"));
            }
        }
        flow.putNull("subscription_cancel");
        flow.putNull("subscription_update");
        flow.putNull("subscription_update_confirm");
        if (data.get("subscription_cancel") instanceof Map<?, ?> c) {
            flow.putObject("subscription_cancel").put("subscription", (String) c.get("subscription")).putNull("retention");
        }
        if (data.get("subscription_update") instanceof Map<?, ?> u) {
            flow.putObject("subscription_update").put("subscription", (String) u.get("subscription"));
        }
        return flow;
    }

    /**
     * The configuration a portal session uses: the one asked for, else the account's default, which
     * only exists once the portal settings were saved in the Dashboard (configurations created
     * through the API are never the default). A fresh test-mode account has none.
     */
    private static String portalConfiguration(FakeStripe s, String asked) throws FakeStripe.ApiError {
        if (asked != null) {
            ObjectNode c = Resources.get(s.portalConfigurations, "configuration", asked);
            if (!c.get("active").asBoolean()) {
                // "active: Whether the configuration is active and can be used to create portal sessions."
                throw FakeStripe.invalid("The configuration " + asked + " is not active and cannot be used to create portal sessions.");
            }
            return asked;
        }
        return filter(s.portalConfigurations, c -> c.get("is_default").asBoolean() && c.get("active").asBoolean()).stream()
                .map(c -> c.get("id").asText()).findFirst()
                .orElseThrow(() -> FakeStripe.invalid("You can't create a portal session in test mode until you save your customer portal "
                        + "settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal."));
    }

    /** The default configuration Stripe makes when someone saves the portal settings in the Dashboard. */
    static ObjectNode dashboardPortalConfiguration(FakeStripe s) {
        ObjectNode c = s.object().put("id", s.newId("bpc")).put("object", "billing_portal.configuration").put("active", true)
                .put("created", s.now()).put("is_default", true).put("livemode", false);
        c.putNull("default_return_url");
        c.putObject("login_page").put("enabled", false).putNull("url");
        c.putObject("business_profile").putNull("headline").putNull("privacy_policy_url").putNull("terms_of_service_url");
        c.set("features", Resources.portalFeatures());
        c.putObject("metadata");
        c.put("updated", s.now());
        return c;
    }

    private static void subscription(FakeStripe s) {
        s.route("GET", "/v1/subscriptions/([^/]+)", (m, p) -> ok(Resources.get(s.subscriptions, "subscription", m.group(1))));
        s.route("POST", "/v1/invoices/create_preview", (m, p) -> ok(preview(s, p)));
        schedules(s);
        s.route("POST", "/v1/subscriptions/([^/]+)", (m, p) -> {
            ObjectNode sub = Resources.get(s.subscriptions, "subscription", m.group(1));
            if (sub.get("status").asText().equals("canceled")) {
                throw new FakeStripe.ApiError(400, "invalid_request_error", null,
                        "A canceled subscription can only update its cancellation_details and metadata.");
            }
            if (p.containsKey("cancel_at") && p.containsKey("cancel_at_period_end")) {
                throw new FakeStripe.ApiError(400, "invalid_request_error", null,
                        "You may only specify one of these parameters: cancel_at, cancel_at_period_end.");
            }
            if (p.containsKey("cancel_at_period_end")) {
                boolean atEnd = "true".equals(p.get("cancel_at_period_end"));
                sub.put("cancel_at_period_end", atEnd);
                if (atEnd) {
                    sub.put("cancel_at", sub.at("/items/data/0/current_period_end").asLong());
                    sub.put("canceled_at", s.now());
                } else {
                    sub.putNull("cancel_at");
                    sub.putNull("canceled_at");
                }
            }
            if (p.containsKey("cancel_at")) {
                String at = (String) p.get("cancel_at");
                if (at.isEmpty()) {
                    sub.putNull("cancel_at");
                    sub.putNull("canceled_at");
                } else {
                    sub.put("cancel_at", Long.parseLong(at));
                    sub.put("canceled_at", s.now());
                }
                sub.put("cancel_at_period_end", false);
            }
            if (p.containsKey("trial_end")) {
                trialEnd(s, sub, (String) p.get("trial_end"));
            }
            if (p.containsKey("pause_collection")) {
                pauseCollection(sub, p.get("pause_collection"));
            }
            if (p.get("items") instanceof List<?> items) {
                for (Object i : items) {
                    updateItem(s, sub, (Map<?, ?>) i);
                }
            }
            if (p.containsKey("discounts")) {
                ArrayNode ids = s.array();
                for (String coupon : coupons(s, p.get("discounts"))) {
                    String id = s.newId("di");
                    s.discountCoupons.put(id, coupon);
                    ids.add(id);
                }
                sub.set("discounts", ids);
            }
            if (p.containsKey("metadata")) {
                sub.set("metadata", Resources.metadata((ObjectNode) sub.get("metadata"), p.get("metadata")));
            }
            return ok(sub);
        });
        s.route("DELETE", "/v1/subscriptions/([^/]+)", (m, p) -> {
            ObjectNode sub = Resources.get(s.subscriptions, "subscription", m.group(1));
            if (sub.get("status").asText().equals("canceled")) {
                throw new FakeStripe.ApiError(400, "invalid_request_error", null, "This subscription has already been canceled.");
            }
            long now = s.now();
            sub.put("status", "canceled").put("canceled_at", now).put("ended_at", now).put("cancel_at_period_end", false);
            sub.putNull("cancel_at");
            return ok(sub);
        });
    }

    /**
     * Stripe's pause_collection: an object pauses (the status stays as it is), {@code ""} unsets it.
     * "Note that the subscription status will be unchanged and will not be updated to paused."
     */
    private static void pauseCollection(ObjectNode sub, Object value) {
        if (value instanceof Map<?, ?> pause) {
            ObjectNode p = sub.putObject("pause_collection").put("behavior", (String) pause.get("behavior"));
            if (pause.get("resumes_at") != null) {
                p.put("resumes_at", Long.parseLong((String) pause.get("resumes_at")));
            } else {
                p.putNull("resumes_at");
            }
        } else {
            sub.putNull("pause_collection");
        }
    }

    /** Stripe's trial_end update: a future time (or "now", which ends the trial), never on a canceled subscription. */
    private static void trialEnd(FakeStripe s, ObjectNode sub, String value) throws FakeStripe.ApiError {
        long end = value.equals("now") ? s.now() : Long.parseLong(value);
        if (!value.equals("now") && end <= s.now()) {
            throw FakeStripe.invalid("Invalid timestamp: must be an integer Unix timestamp in the future.");
        }
        sub.put("trial_end", end);
        if (value.equals("now")) {
            sub.put("status", "active");
        }
    }

    /** A subscription as the pinned API version shows it: the period lives on the item. */
    static ObjectNode newSubscription(FakeStripe s, String customer, JsonNode price, String status, long periodStart, long periodEnd,
            Map<String, String> metadata) {
        String id = s.newId("sub");
        long created = s.pinnedClock() != null ? s.pinnedClock() : periodStart; // made at its period start, unless the test pins the clock
        ObjectNode sub = s.object().put("id", id).put("object", "subscription").put("customer", customer).put("status", status)
                .put("created", created).put("start_date", periodStart).put("livemode", false)
                .put("cancel_at_period_end", false).put("collection_method", "charge_automatically").put("currency", price.path("currency").asText("eur"))
                .put("billing_cycle_anchor", status.equals("trialing") ? periodEnd : periodStart);
        sub.putObject("automatic_tax").put("enabled", false);
        sub.putNull("cancel_at");
        sub.putNull("canceled_at");
        sub.putNull("ended_at");
        sub.putNull("trial_start");
        sub.putNull("trial_end");
        sub.putNull("pause_collection");
        sub.putNull("schedule");
        sub.putArray("discounts");
        if (status.equals("trialing")) {
            sub.put("trial_start", periodStart).put("trial_end", periodEnd);
        }
        ObjectNode md = sub.putObject("metadata");
        metadata.forEach(md::put);
        ObjectNode items = sub.putObject("items").put("object", "list").put("has_more", false).put("url", "/v1/subscription_items?subscription=" + id);
        ObjectNode item = items.putArray("data").addObject().put("id", s.newId("si")).put("object", "subscription_item")
                .put("subscription", id).put("quantity", 1).put("created", periodStart)
                .put("current_period_start", periodStart).put("current_period_end", periodEnd);
        item.set("price", Resources.priceAnswer((ObjectNode) price, false));
        item.putObject("metadata");
        s.subscriptions.put(id, sub);
        return sub;
    }
}
