-- Schema v2: indexes for finding accounts (accounts list) and for the report, so that each filter
-- stays fast at a million accounts. No table changes.

-- Newest accounts first, and the --after cursor (created_at, account_id); --since is a range on it.
create index accounts_created_idx on accounts (created_at desc, account_id desc);

-- --status (and --paused: status 'paused'); the report's subscriptions by status (index-only).
create index subscriptions_status_idx on subscriptions (status, created_at desc);

-- --plan
create index subscriptions_plan_idx on subscriptions (plan_id, created_at desc);

-- --trial-ends-within (a range of trial_end), and the report's trials converted (trial ended lately).
create index subscriptions_trial_end_idx on subscriptions (trial_end) where trial_end is not null;

-- The report's trials started in the last 30 days.
create index subscriptions_trial_start_idx on subscriptions (trial_start) where trial_start is not null;

-- --cancels-within: when a scheduled cancellation takes effect (cancel_at, else the period end when
-- cancel_at_period_end), for subscriptions not ended yet. Queries repeat this expression and predicate.
create index subscriptions_cancels_idx on subscriptions ((coalesce(cancel_at, current_period_end)))
    where (cancel_at_period_end or cancel_at is not null) and status not in ('canceled', 'incomplete_expired');

-- The report's churn: subscriptions that ended, by when.
create index subscriptions_ended_idx on subscriptions ((coalesce(ended_at, canceled_at))) where status = 'canceled';

-- The report's MRR: the paying subscriptions' plan, interval, lookup key and quantity, read from the
-- index alone.
create index subscriptions_paying_idx on subscriptions (plan_id, interval, price_lookup_key) include (quantity)
    where status in ('active', 'past_due');
