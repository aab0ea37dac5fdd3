//! The macro target's input: one header byte, then the tokens, as byte code
//! ([`crate::tokens`]) or as source text.
//!
//! Header bits: 0 = text (else byte code); 1-2 = what the tokens are
//! wrapped in (nothing, a function body, a `#[goru::main]` function, a
//! method in an impl); 3-4 = the `[$crate]` group in front of a
//! function-like macro's input (`[::goru]`, `[crate]`, none, `[]`); 5-7 =
//! which entry point runs ([`Target`]). One entry per input keeps inputs
//! fast (the parsers cost about a millisecond per kilobyte even
//! uninstrumented); value 7 runs all of them.

use goru_macros_core::{Attribute, Macro, expand_attribute_unguarded, expand_unguarded};
use proc_macro2::TokenStream;
use quote::quote;

use crate::tokens;

/// Which entry point an input goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A function-like macro, with the `[$crate]` group in front.
    Macro(Macro),
    /// `#[goru::main]` on the tokens as its item.
    MainItem,
    /// `#[goru::test(tokens)]` on `fn t() {}`: the argument parser.
    TestArgs,
    /// Every one of the above in turn.
    All,
}

impl Target {
    /// Bits 5-7 of the header.
    pub fn from_bits(bits: u8) -> Target {
        match bits & 7 {
            5 => Target::MainItem,
            6 => Target::TestArgs,
            7 => Target::All,
            k => Target::Macro(Macro::ALL[usize::from(k)]),
        }
    }

    /// The header bits that select `self`.
    pub fn bits(self) -> u8 {
        let k = match self {
            Target::Macro(m) => Macro::ALL.iter().position(|&x| x == m).expect("in ALL"),
            Target::MainItem => 5,
            Target::TestArgs => 6,
            Target::All => 7,
        };
        (k as u8) << 5
    }
}

/// One decoded input.
pub struct Input {
    pub target: Target,
    /// The tokens, wrapped as the header says.
    pub tokens: TokenStream,
    /// What the facade's `macro_rules!` wrapper would put in front.
    pub krate: TokenStream,
}

/// Header bit: the body is text.
pub const TEXT: u8 = 1;
/// Header value: a function body (bits 1-2 = 1).
pub const IN_FN: u8 = 1 << 1;

/// `None` for text that does not lex, or nests deeper than byte code may.
pub fn decode(data: &[u8]) -> Option<Input> {
    let (&header, body) = data.split_first()?;
    let tokens = if header & TEXT != 0 {
        let text = String::from_utf8_lossy(body);
        let tokens: TokenStream = text.parse().ok()?;
        if tokens::depth(&tokens) > tokens::MAX_DEPTH {
            return None;
        }
        tokens
    } else {
        tokens::decode(body)
    };
    let tokens = match (header >> 1) & 3 {
        0 => tokens,
        1 => quote!(fn f() { #tokens }),
        2 => quote!(#[goru::main] fn main() { #tokens }),
        _ => quote!(impl T { fn m(&self) -> i32 { #tokens } }),
    };
    let krate = match (header >> 3) & 3 {
        0 => quote!([::goru]),
        1 => quote!([crate]),
        2 => TokenStream::new(),
        _ => quote!([]),
    };
    let target = Target::from_bits(header >> 5);
    Some(Input {
        target,
        tokens,
        krate,
    })
}

impl Input {
    /// Runs the input's entry points without their panic guard: an
    /// internal panic unwinds out of here.
    pub fn expand(&self) {
        let run = |target| match target {
            Target::Macro(mac) => {
                let (krate, tokens) = (&self.krate, &self.tokens);
                drop(expand_unguarded(mac, quote!(#krate #tokens)));
            }
            Target::MainItem => drop(expand_attribute_unguarded(
                Attribute::Main,
                TokenStream::new(),
                self.tokens.clone(),
            )),
            Target::TestArgs => drop(expand_attribute_unguarded(
                Attribute::Test,
                self.tokens.clone(),
                quote!(
                    fn t() {}
                ),
            )),
            Target::All => unreachable!("expanded below"),
        };
        match self.target {
            Target::All => {
                for mac in Macro::ALL {
                    run(Target::Macro(mac));
                }
                run(Target::MainItem);
                run(Target::TestArgs);
            }
            one => run(one),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_bits_name_every_target() {
        for k in 0..8u8 {
            let target = Target::from_bits(k);
            assert_eq!(target.bits(), k << 5, "{target:?}");
        }
    }
}
