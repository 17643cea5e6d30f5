//! Connections held per identity (draft §6.2 item 3: "apply maximum connections per device,
//! rather than maximum connections per IP"). Counted in this process: several MTA nodes each
//! count their own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::IdentityKey;

/// Counts the authenticated sessions of each identity.
#[derive(Debug, Clone, Default)]
pub struct ConnectionTracker {
    counts: Arc<Mutex<HashMap<IdentityKey, u32>>>,
}

impl ConnectionTracker {
    /// An empty tracker.
    pub fn new() -> ConnectionTracker {
        ConnectionTracker::default()
    }

    /// Takes a slot for `identity` unless it already holds `limit`; the slot is given back
    /// when dropped.
    pub fn try_acquire(&self, identity: &IdentityKey, limit: u32) -> Option<ConnectionSlot> {
        let mut counts = self.lock();
        let count = counts.entry(identity.clone()).or_insert(0);
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(ConnectionSlot {
            tracker: self.clone(),
            identity: identity.clone(),
        })
    }

    /// How many slots `identity` holds now.
    pub fn held_by(&self, identity: &IdentityKey) -> u32 {
        self.lock().get(identity).copied().unwrap_or(0)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<IdentityKey, u32>> {
        // A panic elsewhere while holding the lock leaves counts that are still consistent.
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One counted connection of an identity; dropping it gives the slot back.
#[derive(Debug)]
pub struct ConnectionSlot {
    tracker: ConnectionTracker,
    identity: IdentityKey,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut counts = self.tracker.lock();
        if let Some(count) = counts.get_mut(&self.identity) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.identity);
            }
        }
    }
}
