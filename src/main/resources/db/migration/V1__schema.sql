-- Schema v1. Times are timestamptz, money is minor units in bigint.
-- Every lookup the commands make has an index, so cost does not grow with the table.

-- The app's own account (an organisation or a user) and its Stripe customer.
create table accounts (
    account_id          text primary key,
    stripe_customer_id  text unique,
    email               text,
    credit_balance      bigint not null default 0,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now()
);

-- One row per Stripe subscription. account_id stays null while the customer is not linked yet.
create table subscriptions (
    stripe_subscription_id  text primary key,
    account_id              text references accounts (account_id),
    stripe_customer_id      text not null,
    plan_id                 text,
    price_id                text,
    price_lookup_key        text,
    interval                text check (interval in ('day', 'week', 'month', 'year')),
    quantity                integer not null default 1 check (quantity >= 0),
    status                  text not null check (status in (
                                'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due',
                                'canceled', 'unpaid', 'paused', 'pending_payment', 'pending_bank_transfer')),
    current_period_start    timestamptz,
    current_period_end      timestamptz,
    cancel_at_period_end    boolean not null default false,
    cancel_at               timestamptz,
    canceled_at             timestamptz,
    ended_at                timestamptz,
    trial_start             timestamptz,
    trial_end               timestamptz,
    metadata                jsonb not null default '{}',
    -- the newest state applied: the event's `created` (1 s resolution) and id, for ordering
    last_event_created      timestamptz,
    last_event_id           text,
    created_at              timestamptz not null default now(),
    updated_at              timestamptz not null default now()
);
create index subscriptions_account_idx on subscriptions (account_id, created_at desc);
create index subscriptions_customer_idx on subscriptions (stripe_customer_id);

-- One-time purchases (Checkout in payment mode), including asynchronous payments still pending.
create table purchases (
    stripe_checkout_session_id  text primary key,
    account_id                  text references accounts (account_id),
    stripe_customer_id          text,
    plan_id                     text,
    amount_total                bigint,
    currency                    text,
    status                      text not null check (status in (
                                    'pending_payment', 'pending_bank_transfer', 'paid', 'failed')),
    created_at                  timestamptz not null default now(),
    updated_at                  timestamptz not null default now()
);
create index purchases_account_idx on purchases (account_id, created_at desc);

-- Credits move only through this ledger; a Stripe event grants at most once (unique source).
create table credit_ledger (
    id               bigserial primary key,
    account_id       text not null references accounts (account_id),
    delta            bigint not null,
    balance_after    bigint not null,
    reason           text not null,
    source_event_id  text unique,
    created_at       timestamptz not null default now()
);
create index credit_ledger_account_idx on credit_ledger (account_id, id desc);

-- Features switched on for one account whatever its plan.
create table licenses (
    account_id   text not null references accounts (account_id),
    feature      text not null,
    valid_until  timestamptz,
    granted_at   timestamptz not null default now(),
    granted_by   text not null,
    reason       text,
    primary key (account_id, feature)
);

-- Every verified webhook event, stored in the same transaction that applies it.
create table stripe_events (
    event_id      text primary key,
    type          text not null,
    created       timestamptz not null,
    account_id    text,
    object_id     text,
    payload       jsonb not null,
    received_at   timestamptz not null default now(),
    processed_at  timestamptz,
    outcome       text not null,
    error         text
);
create index stripe_events_account_idx on stripe_events (account_id, created desc);
create index stripe_events_object_idx on stripe_events (object_id, created desc);
create index stripe_events_type_idx on stripe_events (type, created desc);
create index stripe_events_failed_idx on stripe_events (received_at) where outcome = 'failed';

-- Every write the support commands make: who, what, why, before and after.
create table audit_log (
    id          bigserial primary key,
    at          timestamptz not null default now(),
    actor       text not null,
    command     text not null,
    account_id  text,
    reason      text,
    before      jsonb,
    after       jsonb
);
create index audit_log_account_idx on audit_log (account_id, at desc);
create index audit_log_at_idx on audit_log (at desc);
