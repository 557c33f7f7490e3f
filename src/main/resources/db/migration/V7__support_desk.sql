-- Schema v7 (support desk): accounts list --cancels-within and --paused from one index each, newest account first;
-- the refunds status shows; the ordering of subscription_schedule events. In that order below.
--
-- V2's subscriptions_cancels_idx keyed the expression coalesce(cancel_at, current_period_end): PostgreSQL
-- cannot return an expression's value from an index, so it read every match's row (27,000 at a million
-- accounts), checked each was its account's current subscription, and sorted them all: 170 ms. The date is
-- now a stored generated column (computed by PostgreSQL on every insert and update, written by no code; the
-- ledger stays the one writer of the columns it is made from), so it can be an index's INCLUDE column.
--
-- cancels_at: when a scheduled cancellation takes effect (cancel_at, else the period end when
-- cancel_at_period_end), null when none is scheduled. Adding it rewrites the table once.
alter table subscriptions add column cancels_at timestamptz
    generated always as (coalesce(cancel_at, case when cancel_at_period_end then current_period_end end)) stored;

drop index subscriptions_cancels_idx;

-- A wide window (most scheduled cancellations fall in it): read the not-ended subscriptions with a cancellation
-- newest account first, check the date from the index, stop after a page.
create index subscriptions_cancels_newest_idx on subscriptions (account_created_at desc, account_id desc)
    include (cancels_at, stripe_subscription_id, status, created_at)
    where cancels_at is not null and status not in ('canceled', 'incomplete_expired');

-- A narrow window (few match): find them by date from the index alone, then sort those few.
create index subscriptions_cancels_at_idx on subscriptions (cancels_at)
    include (account_created_at, account_id, stripe_subscription_id, status, created_at)
    where cancels_at is not null and status not in ('canceled', 'incomplete_expired');

-- accounts list --paused: Stripe's paused status or paused collection (V4), one predicate, so one index read
-- newest account first. With V4's index beside subscriptions_status_idx, PostgreSQL OR-ed two bitmaps and sorted
-- every match (17,000 at a million accounts with 1 % of collections paused: 56 ms) before taking a page.
drop index subscriptions_collection_paused_idx;
create index subscriptions_paused_idx on subscriptions (account_created_at desc, account_id desc)
    include (stripe_subscription_id, status, created_at)
    where status = 'paused' or pause_behavior is not null;

-- Refunds of an account's payments (status shows them): one row per Stripe refund, from `refund` (Stripe's answer)
-- or from the refund.created / refund.updated events, whichever comes first; store/RefundStore keeps the furthest
-- status (pending before succeeded before failed or canceled), so a late or repeated event changes nothing.
-- Not the credit ledger: credits are the plan's usage allowance, which a refund leaves as it is.
create table refunds (
    refund_id       text primary key,
    account_id      text not null references accounts (account_id),
    invoice_id      text,
    payment         text not null,          -- the payment intent refunded (or the charge, for a charge without one)
    amount          bigint not null,        -- minor units of currency
    currency        text not null,
    status          text not null,          -- Stripe's: pending, requires_action, succeeded, failed, canceled
    created_at      timestamptz not null,   -- Stripe's created
    recorded_from   text not null,          -- 'refund' (the command) or the event id that first told us
    updated_at      timestamptz not null default now()
);
create index refunds_account_idx on refunds (account_id, created_at desc);
create index refunds_payment_idx on refunds (payment);

-- subscription_schedule.* events (a schedule made or released in the Dashboard): the time of the newest schedule
-- event applied to the subscription's schedule columns. Written by the ledger only (SubscriptionLedger.schedule):
-- an older schedule event, or an older subscription event naming another schedule, does not undo a newer one.
alter table subscriptions add column schedule_as_of timestamptz;
