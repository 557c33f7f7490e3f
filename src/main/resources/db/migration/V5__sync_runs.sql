-- Schema v5: resumable listings (sync --all, events fetch). A run reads Stripe's list in windows of
-- `created` seconds, half-open [created_gte, created_lt); a window still to read, or read up to a cursor,
-- is a row of sync_windows. Each page is written in the same transaction as its window's new state, so
-- after a crash or Ctrl-C the rows say exactly what is left: `--resume` reads only that.
create table sync_runs (
    id            bigserial primary key,
    kind          text not null check (kind in ('subscriptions', 'events')),
    since         timestamptz,           -- events fetch: its --since
    started_at    timestamptz not null default now(),
    finished_at   timestamptz,           -- null while windows are left (interrupted, or running)
    pages         bigint not null default 0,
    rows          bigint not null default 0
);
create index sync_runs_unfinished_idx on sync_runs (kind, id desc) where finished_at is null;

create table sync_windows (
    run_id          bigint not null references sync_runs (id) on delete cascade,
    created_gte     bigint not null,     -- Stripe's created[gte], epoch seconds
    created_lt      bigint,              -- created[lt]; null: no upper bound
    starting_after  text,                -- the last object read in this window (Stripe's list order), null: none yet
    primary key (run_id, created_gte)
);
