-- Schema v3: a subscription's paused payment collection (Stripe's pause_collection; the status stays
-- active while collection is paused). pause_paid_until is ours, not Stripe's: the period end held when
-- the pause was first seen, so access stops there even though Stripe keeps renewing unpaid periods.
alter table subscriptions
    add column pause_behavior    text check (pause_behavior in ('keep_as_draft', 'mark_uncollectible', 'void')),
    add column pause_resumes_at  timestamptz,
    add column pause_paid_until  timestamptz;
