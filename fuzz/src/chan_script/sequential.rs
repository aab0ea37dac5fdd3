//! Phase 1: one thread runs a script of non-blocking channel operations
//! (and blocking ones the model says cannot block) on four channel slots,
//! checking every result against a sequential model: a queue and a closed
//! flag per channel. Where Go leaves a choice (which ready case a select
//! takes, or whether it meets a closed send case first and panics), any
//! allowed outcome passes and the model follows the one taken.

use std::collections::VecDeque;
use std::sync::Arc;

use goru::prelude::*;
use goru::select::{Case, RecvCase, SendCase};
use goru::{TryRecvError, TrySendError};

use super::Bytes;
use crate::ledger::{Ledger, Val};
use crate::panics;

pub(super) const SEND_ON_CLOSED: &str = "send on closed channel";
const CLOSE_OF_CLOSED: &str = "close of closed channel";
const CLOSE_OF_NIL: &str = "close of nil channel";

goru! {
    /// Go's send statement: panics on a closed channel.
    pub(super) fn send_op(ch: &Sender<Val>, v: Val) {
        ch <- v;
    }

    /// Go's receive expression.
    pub(super) fn recv_op(ch: &Receiver<Val>) -> Option<Val> {
        <-ch
    }
}

const SLOTS: usize = 4;

/// What one channel holds, by value id.
#[derive(Debug)]
struct Model {
    cap: usize,
    queue: VecDeque<u32>,
    closed: bool,
}

/// A handle in a slot and the channel it is (`None`: a nil channel).
struct Slot {
    chan: Chan<Val>,
    model: Option<usize>,
}

struct Script {
    ledger: Arc<Ledger>,
    models: Vec<Model>,
    slots: Vec<Slot>,
}

/// The operations, one per opcode.
#[derive(Clone, Copy, Debug)]
enum Op {
    TrySend,
    TryRecv,
    Close,
    Inspect,
    SendIfReady,
    RecvIfReady,
    Select,
    SelectMacro,
    Replace,
    Alias,
    Drain,
}

const OPS: [Op; 11] = [
    Op::TrySend,
    Op::TryRecv,
    Op::Close,
    Op::Inspect,
    Op::SendIfReady,
    Op::RecvIfReady,
    Op::Select,
    Op::SelectMacro,
    Op::Replace,
    Op::Alias,
    Op::Drain,
];

/// A view of a slot's channel for one operation: through the `Chan`
/// itself or its send-only / receive-only view.
enum Handle {
    Chan(Chan<Val>),
    Sender(Sender<Val>),
    Receiver(Receiver<Val>),
}

enum CaseBox<'a> {
    Recv(RecvCase<'a, Val>),
    Send(SendCase<'a, Val>, u32),
}

/// Runs the script in `bytes`: the first [`SLOTS`] bytes make the
/// channels, then each byte is an opcode and slot, most with one operand.
pub(super) fn run(bytes: &[u8]) {
    let mut bytes = Bytes::new(bytes);
    let ledger = Ledger::new();
    let mut script = Script {
        ledger: Arc::clone(&ledger),
        models: Vec::new(),
        slots: Vec::new(),
    };
    for _ in 0..SLOTS {
        let slot = script.fresh(bytes.byte());
        script.slots.push(slot);
    }
    while let Some(b) = bytes.next() {
        let op = OPS[usize::from(b) % OPS.len()];
        let s = usize::from(b) / OPS.len() % SLOTS;
        let x = bytes.byte();
        script.step(op, s, x, &mut bytes);
        script.check_buffered_alive();
    }
    drop(script);
    ledger.assert_each_dropped_once();
}

impl Script {
    /// A channel for config byte `c`: capacity `c % 4`, nil one time in four.
    fn fresh(&mut self, c: u8) -> Slot {
        if (c >> 2) & 3 == 3 {
            return Slot {
                chan: Chan::nil(),
                model: None,
            };
        }
        let cap = usize::from(c & 3);
        self.models.push(Model {
            cap,
            queue: VecDeque::new(),
            closed: false,
        });
        Slot {
            chan: Chan::new(cap),
            model: Some(self.models.len() - 1),
        }
    }

    fn model(&self, s: usize) -> Option<&Model> {
        self.slots[s].model.map(|m| &self.models[m])
    }

    fn model_mut(&mut self, s: usize) -> Option<&mut Model> {
        self.slots[s].model.map(|m| &mut self.models[m])
    }

    fn handle(&self, s: usize, view: bool, send: bool) -> Handle {
        let chan = &self.slots[s].chan;
        match (view, send) {
            (false, _) => Handle::Chan(chan.clone()),
            (true, true) => Handle::Sender(chan.sender()),
            (true, false) => Handle::Receiver(chan.receiver()),
        }
    }

    fn step(&mut self, op: Op, s: usize, x: u8, bytes: &mut Bytes<'_>) {
        let view = x & 1 != 0;
        match op {
            Op::TrySend => self.try_send(s, view),
            Op::TryRecv => self.try_recv(s, view),
            Op::Close => self.close(s, view),
            Op::Inspect => self.inspect(s),
            Op::SendIfReady => self.send_if_ready(s, x),
            Op::RecvIfReady => self.recv_if_ready(s, x),
            Op::Select => self.select(x, bytes),
            Op::SelectMacro => self.select_macro(s, x),
            Op::Replace => self.replace(s, x),
            Op::Alias => {
                let from = usize::from(x) % SLOTS;
                let slot = Slot {
                    chan: self.slots[from].chan.clone(),
                    model: self.slots[from].model,
                };
                self.put(s, slot);
            }
            Op::Drain => self.drain(s, view),
        }
    }

    fn try_send(&mut self, s: usize, view: bool) {
        let v = self.ledger.make(0);
        let id = v.id;
        let result = match self.handle(s, view, true) {
            Handle::Chan(c) => c.try_send(v),
            Handle::Sender(c) => c.try_send(v),
            Handle::Receiver(_) => unreachable!("a send view"),
        };
        match (self.model_mut(s), result) {
            (Some(m), Ok(())) if !m.closed && m.queue.len() < m.cap => m.queue.push_back(id),
            (Some(m), Err(TrySendError::Closed(v))) if m.closed => assert_eq!(v.id, id),
            (Some(m), Err(TrySendError::Full(v))) if !m.closed && m.queue.len() >= m.cap => {
                assert_eq!(v.id, id)
            }
            (None, Err(TrySendError::Full(v))) => assert_eq!(v.id, id),
            (m, r) => panic!("try_send on {m:?}: got {r:?}"),
        }
    }

    fn try_recv(&mut self, s: usize, view: bool) {
        let result = match self.handle(s, view, false) {
            Handle::Chan(c) => c.try_recv(),
            Handle::Receiver(c) => c.try_recv(),
            Handle::Sender(_) => unreachable!("a receive view"),
        };
        let m = self.model_mut(s);
        let expected = match &m {
            None => Err(TryRecvError::Empty),
            Some(m) => match m.queue.front() {
                Some(&id) => Ok(id),
                None if m.closed => Err(TryRecvError::Closed),
                None => Err(TryRecvError::Empty),
            },
        };
        assert_eq!(
            result.as_ref().map(|v| v.id).map_err(|e| *e),
            expected,
            "try_recv on {m:?}"
        );
        if let (Some(m), Ok(_)) = (m, &result) {
            m.queue.pop_front();
        }
    }

    fn close(&mut self, s: usize, view: bool) {
        let handle = self.handle(s, view, true);
        let result = panics::catch(|| match &handle {
            Handle::Chan(c) => c.close(),
            Handle::Sender(c) => c.close(),
            Handle::Receiver(_) => unreachable!("a send view"),
        });
        match (self.model_mut(s), result) {
            (None, Err(msg)) => assert_eq!(msg, CLOSE_OF_NIL),
            (Some(m), Err(msg)) if m.closed => assert_eq!(msg, CLOSE_OF_CLOSED),
            (Some(m), Ok(())) if !m.closed => m.closed = true,
            (m, r) => panic!("close of {m:?}: got {r:?}"),
        }
    }

    fn inspect(&self, s: usize) {
        let c = &self.slots[s].chan;
        let m = self.model(s);
        let (len, cap, closed) = m.map_or((0, 0, false), |m| (m.queue.len(), m.cap, m.closed));
        assert_eq!(c.len(), len, "len of {m:?}");
        assert_eq!(c.is_empty(), len == 0, "is_empty of {m:?}");
        assert_eq!(c.cap(), cap, "cap of {m:?}");
        assert_eq!(c.is_closed(), closed, "is_closed of {m:?}");
        assert_eq!(c.is_nil(), m.is_none(), "is_nil");
        assert_eq!(c.sender().len(), len, "len of a send view");
        assert_eq!(c.receiver().cap(), cap, "cap of a receive view");
    }

    /// A blocking send where the model says it cannot block: on a closed
    /// channel, or with room in the buffer.
    fn send_if_ready(&mut self, s: usize, x: u8) {
        let Some(m) = self.model(s) else { return };
        let closed = m.closed;
        if !closed && m.queue.len() >= m.cap {
            return;
        }
        let v = self.ledger.make(0);
        let id = v.id;
        let chan = self.slots[s].chan.clone();
        match (x >> 1) % 3 {
            // `ch <- v` panics on a closed channel.
            0 => {
                let result = panics::catch(|| send_op(&chan.sender(), v));
                match result {
                    Err(msg) if closed => {
                        assert_eq!(msg, SEND_ON_CLOSED);
                        assert_eq!(self.ledger.drops_of(id), 1, "the unsent value is dropped");
                    }
                    Ok(()) if !closed => {}
                    r => panic!("`ch <- v` on {:?}: got {r:?}", self.model(s)),
                }
            }
            // `send` gives the value back.
            k => {
                let result = if k == 1 {
                    chan.send(v)
                } else {
                    chan.sender().send(v)
                };
                match result {
                    Err(e) if closed => assert_eq!(e.0.id, id),
                    Ok(()) if !closed => {}
                    r => panic!("send on {:?}: got {r:?}", self.model(s)),
                }
            }
        }
        if !closed {
            self.model_mut(s).expect("checked").queue.push_back(id);
        }
    }

    /// A blocking receive where the model says it cannot block.
    fn recv_if_ready(&mut self, s: usize, x: u8) {
        let Some(m) = self.model(s) else { return };
        let expected = match m.queue.front() {
            Some(&id) => Some(id),
            None if m.closed => None,
            None => return,
        };
        let chan = self.slots[s].chan.clone();
        let got = match (x >> 1) % 4 {
            0 => recv_op(&chan.receiver()),
            1 => chan.recv(),
            2 => chan.receiver().recv(),
            _ => chan.iter().next(),
        };
        assert_eq!(got.as_ref().map(|v| v.id), expected, "recv on {m:?}");
        if expected.is_some() {
            self.model_mut(s).expect("checked").queue.pop_front();
        }
    }

    /// The select engine with 1-4 cases, each a receive or a send on any
    /// slot, with or without `default`.
    fn select(&mut self, x: u8, bytes: &mut Bytes<'_>) {
        let n = 1 + usize::from(x) % 4;
        let mut has_default = x & 4 == 0;
        let specs: Vec<(usize, bool, bool)> = (0..n)
            .map(|_| {
                let c = bytes.byte();
                (usize::from(c) % SLOTS, c & 4 != 0, c & 8 != 0)
            })
            .collect();
        // Which cases may fire, and whether a send case meets a closed
        // channel (then select may panic, as Go's does).
        let mut ready = Vec::new();
        let mut closed_send = false;
        for (i, &(s, send, _)) in specs.iter().enumerate() {
            let Some(m) = self.model(s) else { continue };
            if send && m.closed {
                closed_send = true;
            } else if (send && m.queue.len() < m.cap)
                || (!send && (!m.queue.is_empty() || m.closed))
            {
                ready.push(i);
            }
        }
        if ready.is_empty() && !closed_send {
            // It would block this thread forever.
            has_default = true;
        }
        let handles: Vec<Handle> = specs
            .iter()
            .map(|&(s, send, view)| self.handle(s, view, send))
            .collect();
        let values: Vec<Option<Val>> = specs
            .iter()
            .map(|&(_, send, _)| send.then(|| self.ledger.make(0)))
            .collect();
        let ids: Vec<Option<u32>> = values.iter().map(|v| v.as_ref().map(|v| v.id)).collect();
        let ledger = Arc::clone(&self.ledger);
        let result = panics::catch(move || {
            let mut boxes: Vec<CaseBox<'_>> = handles
                .iter()
                .zip(values)
                .map(|(h, v)| match (h, v) {
                    (Handle::Chan(c), None) => CaseBox::Recv(RecvCase::new(c.raw())),
                    (Handle::Receiver(c), None) => CaseBox::Recv(RecvCase::new(c.raw())),
                    (Handle::Chan(c), Some(v)) => {
                        let id = v.id;
                        CaseBox::Send(SendCase::new(c.raw(), v), id)
                    }
                    (Handle::Sender(c), Some(v)) => {
                        let id = v.id;
                        CaseBox::Send(SendCase::new(c.raw(), v), id)
                    }
                    _ => unreachable!("views match the case kinds"),
                })
                .collect();
            let mut cases: Vec<Case<'_>> = boxes
                .iter_mut()
                .map(|b| match b {
                    CaseBox::Recv(r) => r.case(),
                    CaseBox::Send(c, _) => c.case(),
                })
                .collect();
            let fired = goru::select::select(&mut cases, has_default);
            drop(cases);
            // What each case ended with: a received value (id) for the
            // fired receive, and the check that unfired sends kept theirs.
            let mut received = None;
            for (i, b) in boxes.into_iter().enumerate() {
                match b {
                    CaseBox::Recv(mut r) => {
                        let v = r.take();
                        if Some(i) == fired {
                            received = Some(v.as_ref().map(|v| v.id));
                        } else {
                            assert!(v.is_none(), "case {i} received but did not fire");
                        }
                    }
                    CaseBox::Send(c, id) => match (c.into_value(), Some(i) == fired) {
                        (None, true) => {}
                        (Some(v), false) => assert_eq!(v.id, id, "case {i} kept another value"),
                        (v, _) => panic!("send case {i}: fired {fired:?} but holds {v:?}"),
                    },
                }
            }
            (fired, received)
        });
        let describe = || {
            format!(
                "select {specs:?} default {has_default} on {:?}",
                self.models
            )
        };
        match result {
            Err(msg) => {
                assert!(closed_send, "{}: panicked: {msg}", describe());
                assert_eq!(msg, SEND_ON_CLOSED, "{}", describe());
                for id in ids.into_iter().flatten() {
                    assert_eq!(ledger.drops_of(id), 1, "a select's unsent value is dropped");
                }
            }
            Ok((None, _)) => {
                assert!(
                    ready.is_empty() && !closed_send,
                    "{}: took default",
                    describe()
                );
            }
            Ok((Some(i), received)) => {
                assert!(ready.contains(&i), "{}: fired case {i}", describe());
                let (s, send, _) = specs[i];
                let m = self.model_mut(s).expect("a ready case is not nil");
                if send {
                    m.queue.push_back(ids[i].expect("a send case"));
                } else {
                    let expected = m.queue.pop_front();
                    assert_eq!(received, Some(expected), "select received from {m:?}");
                }
            }
        }
    }

    /// `select!` itself: a receive from slot `s`, a send on slot `x % 4`,
    /// and `default` (left out when a case is sure to fire or panic).
    fn select_macro(&mut self, s: usize, x: u8) {
        let t = usize::from(x) % SLOTS;
        let recv_ready = self
            .model(s)
            .is_some_and(|m| !m.queue.is_empty() || m.closed);
        let (send_ready, closed_send) = self.model(t).map_or((false, false), |m| {
            (!m.closed && m.queue.len() < m.cap, m.closed)
        });
        let with_default = x & 4 == 0 || !(recv_ready || send_ready || closed_send);
        let (rx, tx) = (self.slots[s].chan.clone(), self.slots[t].chan.clone());
        let v = self.ledger.make(0);
        let id = v.id;
        #[derive(Debug)]
        enum Fired {
            Recv(Option<u32>),
            Send,
            Default,
        }
        let result = panics::catch(|| {
            if with_default {
                select! {
                    v = <-rx => Fired::Recv(v.map(|v| v.id)),
                    tx <- v => Fired::Send,
                    default => Fired::Default,
                }
            } else {
                select! {
                    v = <-rx => Fired::Recv(v.map(|v| v.id)),
                    tx <- v => Fired::Send,
                }
            }
        });
        let describe = || format!("select! recv {s} send {t} on {:?}", self.models);
        match result {
            Err(msg) => {
                assert!(closed_send, "{}: panicked: {msg}", describe());
                assert_eq!(msg, SEND_ON_CLOSED);
            }
            Ok(Fired::Default) => {
                assert!(
                    !recv_ready && !send_ready && !closed_send,
                    "{}: took default",
                    describe()
                );
            }
            Ok(Fired::Recv(got)) => {
                assert!(recv_ready, "{}: received", describe());
                let m = self.model_mut(s).expect("ready");
                let expected = m.queue.pop_front();
                assert_eq!(got, expected, "select! received from {m:?}");
            }
            Ok(Fired::Send) => {
                assert!(send_ready, "{}: sent", describe());
                self.model_mut(t).expect("ready").queue.push_back(id);
                return;
            }
        }
        assert_eq!(
            self.ledger.drops_of(id),
            1,
            "select! drops its unsent value"
        );
    }

    /// A fresh channel (or nil) in slot `s`.
    fn replace(&mut self, s: usize, x: u8) {
        let slot = self.fresh(x);
        self.put(s, slot);
    }

    /// Puts `slot` in place of slot `s`. When that drops the last handle
    /// of a channel, the values still in it must be dropped with it.
    fn put(&mut self, s: usize, slot: Slot) {
        let old = std::mem::replace(&mut self.slots[s], slot);
        drop(old.chan);
        let Some(m) = old.model else { return };
        if self.slots.iter().any(|slot| slot.model == Some(m)) {
            return;
        }
        for id in std::mem::take(&mut self.models[m].queue) {
            assert_eq!(
                self.ledger.drops_of(id),
                1,
                "buffered value {id} dropped with its channel"
            );
        }
    }

    /// `for v in &ch` over a closed channel: everything buffered, in order.
    fn drain(&mut self, s: usize, by_value: bool) {
        match self.model(s) {
            Some(m) if m.closed => {}
            _ => return,
        }
        let chan = &self.slots[s].chan;
        let got: Vec<u32> = if by_value {
            chan.receiver().into_iter().map(|v| v.id).collect()
        } else {
            chan.iter().map(|v| v.id).collect()
        };
        let m = self.model_mut(s).expect("checked");
        let expected: Vec<u32> = m.queue.drain(..).collect();
        assert_eq!(got, expected, "drained");
    }

    /// Values in a channel are alive (not dropped early, e.g. by close).
    fn check_buffered_alive(&self) {
        for (s, slot) in self.slots.iter().enumerate() {
            if let Some(m) = slot.model {
                for &id in &self.models[m].queue {
                    assert_eq!(self.ledger.drops_of(id), 0, "slot {s}: buffered value {id}");
                }
            }
        }
    }
}
