-- Schema v6: the checkpoint of `billing prices migrate`. One row per run (what it moves, to which price, how,
-- who and why; finished_at stays null until the run went through its list, so --resume finds an interrupted
-- run), and one row per subscription the run took up. A row is written as 'sending' before the update goes to
-- Stripe and becomes 'moved' in the same transaction as Stripe's answer (through the ledger) and its audit row,
-- so an interrupted run knows exactly which subscriptions it may have sent and which it did move.
create table price_migration_runs (
    run_id           text primary key,
    plan_id          text not null,
    cycle            text not null,
    to_price_id      text not null,
    from_price_id    text,
    at               text not null check (at in ('renewal', 'now')),
    reason           text not null,
    actor            text not null,
    started_at       timestamptz not null default now(),
    finished_at      timestamptz
);
create index price_migration_runs_open_idx on price_migration_runs (plan_id, cycle, started_at desc) where finished_at is null;

create table price_migration_moves (
    run_id                  text not null references price_migration_runs (run_id),
    stripe_subscription_id  text not null,
    from_price_id           text not null,
    state                   text not null check (state in ('sending', 'moved', 'skipped', 'failed')),
    -- the attempt the idempotency key names: a resume re-sends an unanswered request with the same key
    attempt                 integer not null default 1,
    note                    text,
    updated_at              timestamptz not null default now(),
    primary key (run_id, stripe_subscription_id)
);
