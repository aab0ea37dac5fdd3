//! Seed corpora. The macro target's: every `goru! { }` body of the
//! examples, as text and as byte code, and every `select!` body as byte
//! code. The runtime target's: a few scripts at the largest sizes the
//! format allows. Regenerate `fuzz/seeds/` with
//! `cargo +nightly test --manifest-path fuzz/Cargo.toml --no-default-features --lib -- --ignored write_seeds`.

use std::path::Path;

use proc_macro2::{TokenStream, TokenTree};

use goru_macros_core::Macro;

use crate::macro_input::{TEXT, Target};
use crate::tokens;

/// `(name, body)` of every `name! { body }` in `tokens` whose name is in
/// `names`, outermost first.
pub fn macro_bodies(tokens: &TokenStream, names: &[&str]) -> Vec<(String, TokenStream)> {
    let v: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut out = Vec::new();
    for (i, t) in v.iter().enumerate() {
        if let (TokenTree::Ident(id), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(g))) =
            (t, v.get(i + 1), v.get(i + 2))
            && bang.as_char() == '!'
            && names.iter().any(|n| id == n)
        {
            out.push((id.to_string(), g.stream()));
        }
        if let TokenTree::Group(g) = t {
            out.extend(macro_bodies(&g.stream(), names));
        }
    }
    out
}

/// Seeds `(file name, bytes)` from the examples in `examples_dir`.
pub fn macro_seeds(examples_dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(examples_dir)
        .expect("examples/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut seeds = Vec::new();
    for path in files {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).expect("example source");
        let tokens: TokenStream = source.parse().expect("examples lex");
        for (k, (name, body)) in macro_bodies(&tokens, &["goru", "select"])
            .into_iter()
            .enumerate()
        {
            // Byte code, bare, `[::goru]` in front, into its own macro.
            let mac = if name == "goru" {
                Macro::Goru
            } else {
                Macro::Select
            };
            let mut code = vec![Target::Macro(mac).bits()];
            code.extend(tokens::encode(&body));
            seeds.push((format!("{stem}-{k}-{name}-code"), code));
            if name == "goru" {
                // As text, into every entry point.
                let mut text = vec![TEXT | Target::All.bits()];
                text.extend(body.to_string().into_bytes());
                seeds.push((format!("{stem}-{k}-{name}-text"), text));
            }
        }
    }
    seeds
}

/// Runtime target seeds: phase 1 scripts touching every operation, and
/// phase 2 plans with three channels, three producers of eight messages
/// each and two consumers, over every way to send and receive.
pub fn chan_script_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    // Phase 1: caps 0, 1, 3 and a nil slot, then each opcode on each slot
    // with a varying operand, then selects with four cases.
    let mut phase1 = vec![0x00, 0x01, 0x03, 0x0C];
    for b in 0..44u8 {
        phase1.extend([b, b.wrapping_mul(37)]);
    }
    for k in 0..8u8 {
        phase1.extend([6, 3 + 4 * (k % 2), k, k + 4, k + 9, k + 13]);
    }
    for (name, flags) in [("sequential-thread", 0u8), ("sequential-goroutine", 1)] {
        let mut seed = vec![flags, phase1.len() as u8];
        seed.extend(&phase1);
        seeds.push((name.to_string(), seed));
    }
    // Phase 2.
    for (k, caps) in [[0u8, 0, 0], [0, 1, 3], [1, 2, 3]].iter().enumerate() {
        let mut phase2 = vec![2, caps[0], caps[1], caps[2], 5];
        for p in 0..3u8 {
            phase2.push(8);
            phase2.extend((0..8u8).map(|m| m.wrapping_mul(5) + p));
        }
        for c in 0..2u8 {
            phase2.push(3);
            phase2.extend((0..5u8).map(|w| w + c));
        }
        let mut seed = vec![0, 0];
        seed.extend(phase2);
        seeds.push((format!("concurrent-{k}"), seed));
    }
    seeds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
    }

    #[test]
    fn examples_give_seeds() {
        let seeds = macro_seeds(&repo().join("examples"));
        assert!(seeds.len() > 40, "{}", seeds.len());
        for (name, bytes) in &seeds {
            assert!(
                crate::macro_input::decode(bytes).is_some(),
                "seed {name} decodes"
            );
        }
    }

    #[test]
    #[ignore = "writes fuzz/seeds/"]
    fn write_seeds() {
        let all = [
            ("macros", macro_seeds(&repo().join("examples"))),
            ("chan_script", chan_script_seeds()),
        ];
        for (target, seeds) in all {
            let dir = repo().join("fuzz/seeds").join(target);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, bytes) in seeds {
                std::fs::write(dir.join(name), bytes).unwrap();
            }
        }
    }
}
