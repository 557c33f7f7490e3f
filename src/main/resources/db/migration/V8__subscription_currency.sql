-- Schema v8: the currency a subscription bills in (Stripe's subscription `currency`). One price holds several
-- currencies (currency_options), so the price no longer tells it; status and report read it from here.
-- Rows stored before stay null until their next event or `billing sync` fills them.
alter table subscriptions add column currency text;
