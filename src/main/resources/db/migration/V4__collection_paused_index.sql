-- Schema v4: accounts list --paused also finds subscriptions whose payment collection is paused (V3's
-- pause_behavior; their status stays active), newest account first, from an index of their own.
create index subscriptions_collection_paused_idx on subscriptions (account_created_at desc, account_id desc)
    include (stripe_subscription_id, status, created_at) where pause_behavior is not null;
