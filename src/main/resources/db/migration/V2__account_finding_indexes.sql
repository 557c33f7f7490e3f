-- Schema v2: finding accounts (accounts list) and the report, fast at a million accounts.
--
-- accounts list is newest account first. A filter on subscriptions (status, plan, trial end, cancellation)
-- can only read its index in that order if the index holds the account's creation time, so each subscription
-- keeps a copy of it (account_created_at), set by the triggers below from accounts.created_at. No code writes it.

alter table subscriptions add column account_created_at timestamptz;
update subscriptions s set account_created_at = a.created_at from accounts a where a.account_id = s.account_id;

create function subscriptions_account_created_at() returns trigger language plpgsql as $$
begin
    new.account_created_at := (select a.created_at from accounts a where a.account_id = new.account_id);
    return new;
end $$;
create trigger subscriptions_account_created_at before insert or update of account_id on subscriptions
    for each row execute function subscriptions_account_created_at();

create function accounts_created_at_to_subscriptions() returns trigger language plpgsql as $$
begin
    update subscriptions set account_created_at = new.created_at where account_id = new.account_id;
    return null;
end $$;
create trigger accounts_created_at_to_subscriptions after update of created_at on accounts
    for each row when (old.created_at is distinct from new.created_at) execute function accounts_created_at_to_subscriptions();

-- No filter, --since, and the --after cursor: accounts by (created_at, account_id), newest first.
create index accounts_created_idx on accounts (created_at desc, account_id desc);

-- Each filter's index holds the sort key and what the current-subscription check needs (INCLUDE), so a page
-- is found in the index alone.

-- --status, --paused (status 'paused'): read newest account first; the report's subscriptions by status.
create index subscriptions_status_idx on subscriptions (status, account_created_at desc, account_id desc)
    include (stripe_subscription_id, created_at);

-- --plan, newest account first.
create index subscriptions_plan_idx on subscriptions (plan_id, account_created_at desc, account_id desc)
    include (stripe_subscription_id, status, created_at);

-- --trial-ends-within: trialing subscriptions by trial end, with the sort key (the candidates and their order come from the index alone).
create index subscriptions_trialing_idx on subscriptions (trial_end) include (account_created_at, account_id, stripe_subscription_id, status, created_at)
    where status = 'trialing';

-- --cancels-within: when a scheduled cancellation takes effect (cancel_at, else the period end when
-- cancel_at_period_end), for subscriptions not ended yet. The query repeats this expression and predicate.
create index subscriptions_cancels_idx on subscriptions ((coalesce(cancel_at, current_period_end)))
    include (account_created_at, account_id, stripe_subscription_id, status, created_at)
    where (cancel_at_period_end or cancel_at is not null) and status not in ('canceled', 'incomplete_expired');

-- The report: trials started and ended (converted) in the last 30 days, churn (canceled, by when it ended),
-- and the paying subscriptions' plan, interval, lookup key and quantity read from the index alone.
create index subscriptions_trial_start_idx on subscriptions (trial_start) where trial_start is not null;
create index subscriptions_trial_end_idx on subscriptions (trial_end) include (status) where trial_end is not null;
create index subscriptions_ended_idx on subscriptions ((coalesce(ended_at, canceled_at))) where status = 'canceled';
create index subscriptions_paying_idx on subscriptions (plan_id, interval, price_lookup_key) include (quantity)
    where status in ('active', 'past_due');
