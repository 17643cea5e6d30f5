//! The in-memory history store: one process, gone on restart. Bounded: it holds at most
//! `capacity` identities, and per identity at most [`MAX_ACCOUNTS_PER_IDENTITY`] accounts and
//! [`MAX_ATTEMPTS_PER_IDENTITY`] attempt times, so random identities from a hostile client
//! cannot grow it without end.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use super::{
    History, HistoryStore, KnownDevice, PreviousSighting, Sighting, StoreError, UnixTime, Windows,
};
use crate::IdentityKey;

/// Accounts remembered per identity; the oldest attempt-only entries go first.
pub const MAX_ACCOUNTS_PER_IDENTITY: usize = 4096;
/// Attempt times remembered per identity (enough for any sane rate limit).
pub const MAX_ATTEMPTS_PER_IDENTITY: usize = 4096;

#[derive(Debug, Default)]
struct AccountRecord {
    /// None for an account remembered by an administrator but never tried.
    last_attempt: Option<UnixTime>,
    known: Option<(UnixTime, UnixTime)>,
}

#[derive(Debug, Default)]
struct IdentityRecord {
    accounts: HashMap<String, AccountRecord>,
    attempts: VecDeque<UnixTime>,
    last: Option<PreviousSighting>,
}

/// A [`HistoryStore`] in memory, behind one mutex.
#[derive(Debug)]
pub struct MemoryStore {
    capacity: usize,
    identities: Mutex<HashMap<IdentityKey, IdentityRecord>>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::with_capacity(MemoryStore::DEFAULT_CAPACITY)
    }
}

impl MemoryStore {
    /// How many identities [`MemoryStore::default`] holds.
    pub const DEFAULT_CAPACITY: usize = 1_000_000;

    /// A store for at most `capacity` identities. When full, identities with no known device
    /// and no attempt within the last day are dropped; if none can be, recording a new
    /// identity fails with [`StoreError::Full`].
    pub fn with_capacity(capacity: usize) -> MemoryStore {
        MemoryStore {
            capacity,
            identities: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<IdentityKey, IdentityRecord>> {
        self.identities
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn make_room(
    identities: &mut HashMap<IdentityKey, IdentityRecord>,
    capacity: usize,
    now: UnixTime,
) -> Result<(), StoreError> {
    if identities.len() < capacity {
        return Ok(());
    }
    let stale_before = now.saturating_sub(86_400);
    identities.retain(|_, record| {
        record.accounts.values().any(|a| a.known.is_some())
            || record.attempts.back().is_some_and(|&at| at >= stale_before)
    });
    if identities.len() < capacity {
        Ok(())
    } else {
        Err(StoreError::Full {
            backend: "memory",
            limit: capacity,
        })
    }
}

impl HistoryStore for MemoryStore {
    fn record_attempt(
        &self,
        sighting: &Sighting<'_>,
        windows: Windows,
    ) -> Result<History, StoreError> {
        let mut identities = self.lock();
        if !identities.contains_key(sighting.identity) {
            make_room(&mut identities, self.capacity, sighting.at)?;
        }
        let record = identities.entry(sighting.identity.clone()).or_default();
        let known_device = record
            .accounts
            .get(sighting.account)
            .is_some_and(|account| account.known.is_some());

        if !record.accounts.contains_key(sighting.account)
            && record.accounts.len() >= MAX_ACCOUNTS_PER_IDENTITY
        {
            let oldest = record
                .accounts
                .iter()
                .filter(|(_, a)| a.known.is_none())
                .min_by_key(|(_, a)| a.last_attempt)
                .map(|(name, _)| name.clone());
            if let Some(oldest) = oldest {
                record.accounts.remove(&oldest);
            }
        }
        record
            .accounts
            .entry(sighting.account.to_owned())
            .or_default()
            .last_attempt = Some(sighting.at);
        let accounts_since = sighting.at.saturating_sub(windows.accounts);
        let distinct_accounts = record
            .accounts
            .values()
            .filter(|a| a.last_attempt.is_some_and(|at| at >= accounts_since))
            .count();

        record.attempts.push_back(sighting.at);
        let attempts_since = sighting.at.saturating_sub(windows.attempts);
        while record.attempts.len() > MAX_ATTEMPTS_PER_IDENTITY
            || record
                .attempts
                .front()
                .is_some_and(|&at| at < attempts_since)
        {
            record.attempts.pop_front();
        }

        let previous = record.last.replace(PreviousSighting {
            network: sighting.network.to_owned(),
            at: sighting.at,
        });
        Ok(History {
            known_device,
            distinct_accounts: u32::try_from(distinct_accounts).unwrap_or(u32::MAX),
            attempts: u32::try_from(record.attempts.len()).unwrap_or(u32::MAX),
            previous,
        })
    }

    fn remember_device(
        &self,
        identity: &IdentityKey,
        account: &str,
        at: UnixTime,
    ) -> Result<(), StoreError> {
        let mut identities = self.lock();
        if !identities.contains_key(identity) {
            make_room(&mut identities, self.capacity, at)?;
        }
        let record = identities.entry(identity.clone()).or_default();
        let account = record.accounts.entry(account.to_owned()).or_default();
        account.known = Some(match account.known {
            Some((first, _)) => (first, at),
            None => (at, at),
        });
        Ok(())
    }

    fn forget_device(&self, identity: &IdentityKey, account: &str) -> Result<bool, StoreError> {
        let mut identities = self.lock();
        Ok(identities
            .get_mut(identity)
            .and_then(|record| record.accounts.get_mut(account))
            .and_then(|account| account.known.take())
            .is_some())
    }

    fn known_devices(&self, account: &str) -> Result<Vec<KnownDevice>, StoreError> {
        let identities = self.lock();
        let mut devices: Vec<KnownDevice> = identities
            .iter()
            .filter_map(|(identity, record)| {
                let (first_seen, last_seen) = record.accounts.get(account)?.known?;
                Some(KnownDevice {
                    identity: identity.clone(),
                    first_seen,
                    last_seen,
                })
            })
            .collect();
        devices.sort_by(|a, b| a.identity.cmp(&b.identity));
        Ok(devices)
    }

    fn identity_count(&self) -> Result<u64, StoreError> {
        Ok(self.lock().len() as u64)
    }
}
