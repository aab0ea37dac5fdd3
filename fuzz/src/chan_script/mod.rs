//! The runtime target's script: phase 1 ([`sequential`]) checks channel
//! operations one at a time against a model; phase 2 ([`concurrent`])
//! checks delivery under a real schedule.
//!
//! Input layout: byte 0 holds flags (bit 0: phase 1 runs as a goroutine
//! rather than on the fuzzer's thread), byte 1 where the input splits
//! between the phases; then phase 1's bytes, then phase 2's. Missing bytes
//! read as 0, so every input is a valid script.

mod concurrent;
mod sequential;

/// The fuzzer's bytes, read front to back; 0 once exhausted.
pub(crate) struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Bytes { data }
    }

    pub(crate) fn next(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }

    pub(crate) fn byte(&mut self) -> u8 {
        self.next().unwrap_or(0)
    }
}

/// The runtime every input runs on: two workers, panics re-raised from
/// `block_on`, deadlocks reported (nothing outside it may wake its
/// goroutines), no stall reports (instrumented code is slow).
pub fn runtime() -> goru::Runtime {
    goru::Builder::new()
        .workers(2)
        .panic_mode(goru::PanicMode::Propagate)
        .detect_deadlock(true)
        .foreign_threads_can_wake(false)
        .stall_threshold(None)
        .build()
}

/// Runs one input; panics on any difference from the model.
pub fn run(runtime: &goru::Runtime, data: &[u8]) {
    let mut bytes = Bytes::new(data);
    let flags = bytes.byte();
    let split = usize::from(bytes.byte()).min(bytes.data.len());
    let (first, second) = bytes.data.split_at(split);
    if flags & 1 == 0 {
        sequential::run(first);
    } else {
        let first = first.to_vec();
        let outcome = crate::panics::catch(|| runtime.block_on(move || sequential::run(&first)));
        if let Err(msg) = outcome {
            panic!("phase 1 in a goroutine failed: {msg}");
        }
    }
    concurrent::run(runtime, second);
}

#[cfg(test)]
mod tests {
    /// The seeds and a quick pass over pseudo-random scripts (the fuzzer
    /// goes further).
    #[test]
    fn seeds_and_random_scripts_pass() {
        crate::panics::install_hook();
        let runtime = super::runtime();
        for (_, seed) in crate::seeds::chan_script_seeds() {
            super::run(&runtime, &seed);
        }
        let mut x: u64 = 0x5EED;
        for len in 0..300 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            super::run(&runtime, &data);
        }
    }
}
