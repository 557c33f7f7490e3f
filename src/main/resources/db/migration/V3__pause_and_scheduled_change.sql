-- Schema v3 (support desk): a subscription's paused payment collection (Stripe's pause_collection; the status stays
-- active while collection is paused). pause_paid_until is ours, not Stripe's: the period end held when
-- the pause was first seen, so access stops there even though Stripe keeps renewing unpaid periods.
alter table subscriptions
    add column pause_behavior    text check (pause_behavior in ('keep_as_draft', 'mark_uncollectible', 'void')),
    add column pause_resumes_at  timestamptz,
    add column pause_paid_until  timestamptz;

-- A plan change scheduled for the renewal (change-plan --at renewal): the subscription schedule Stripe
-- holds (schedule_id, from the subscription's `schedule`) and what its next phase sets, which the
-- subscription object does not say; kept by the ledger while the subscription keeps that schedule.
alter table subscriptions
    add column schedule_id         text,
    add column scheduled_plan      text,
    add column scheduled_cycle     text,
    add column scheduled_quantity  integer,
    add column scheduled_at        timestamptz;
