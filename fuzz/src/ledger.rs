//! Values that count their drops: a lost message shows as an id never
//! dropped, a duplicated one as an id dropped twice (caught at once).

use std::sync::{Arc, Mutex, MutexGuard};

/// How often each value made by [`Ledger::make`] was dropped.
#[derive(Debug, Default)]
pub struct Ledger {
    drops: Mutex<Vec<u8>>,
}

/// A message: `tag` is what it says (a producer and sequence number),
/// `id` is this particular value (a resent message is a new value).
#[derive(Debug)]
pub struct Val {
    pub id: u32,
    pub tag: u32,
    ledger: Arc<Ledger>,
}

impl Ledger {
    pub fn new() -> Arc<Ledger> {
        Arc::new(Ledger::default())
    }

    fn lock(&self) -> MutexGuard<'_, Vec<u8>> {
        // A panic while held is already a failure being reported.
        self.drops.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new value with a fresh id.
    pub fn make(self: &Arc<Self>, tag: u32) -> Val {
        let mut drops = self.lock();
        let id = u32::try_from(drops.len()).expect("few values per input");
        drops.push(0);
        Val {
            id,
            tag,
            ledger: Arc::clone(self),
        }
    }

    /// How often value `id` was dropped.
    pub fn drops_of(&self, id: u32) -> u8 {
        self.lock()[id as usize]
    }

    /// Panics unless every value made was dropped exactly once.
    #[track_caller]
    pub fn assert_each_dropped_once(&self) {
        let drops = self.lock().clone();
        let leaked: Vec<usize> = (0..drops.len()).filter(|&i| drops[i] == 0).collect();
        assert!(
            leaked.is_empty(),
            "values never dropped (leaked): {leaked:?}"
        );
        assert!(drops.iter().all(|&d| d == 1), "a value dropped twice");
    }
}

impl Drop for Val {
    fn drop(&mut self) {
        let mut drops = self.ledger.lock();
        let d = &mut drops[self.id as usize];
        *d += 1;
        let twice = *d > 1;
        drop(drops);
        // Checked here, where the backtrace shows who dropped it again.
        assert!(
            !twice,
            "value {} (tag {:#x}) dropped twice",
            self.id, self.tag
        );
    }
}
