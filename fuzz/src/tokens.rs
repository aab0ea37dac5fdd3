//! A byte code for token streams, biased toward goru's syntax, so that the
//! fuzzer reaches deep into the macros' parsers instead of failing in the
//! lexer: each byte is one token (or a short run of glued punctuation, or a
//! group's open or close), and every byte string decodes to a valid stream.
//!
//! [`encode`] goes the other way (approximately: unknown names become
//! `vN`), to turn real programs into seeds.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// Deeper nesting only tests syn's recursion (a stack overflow in syn is
/// not ours to fix, and rustc limits nesting too).
pub const MAX_DEPTH: usize = 24;

#[derive(Clone, Copy)]
enum Op {
    Ident(&'static str),
    /// `v0`..`v255`: a name chosen by the next byte.
    NumberedIdent,
    /// Punctuation glued together (`Spacing::Joint` but the last).
    Punct(&'static str),
    /// The same characters, spaced apart (`< -` is a comparison, not `<-`).
    SpacedPunct(&'static str),
    Lifetime(&'static str),
    /// An unsuffixed integer, the next byte.
    Int,
    SuffixedInt,
    Float,
    Str,
    Char,
    ByteStr,
    Open(Delimiter),
    Close,
}

const STRINGS: &[&str] = &[
    "",
    "s",
    "{}",
    "{:?}",
    "{v}",
    "<-",
    "hello {x:?}",
    "\"",
    "\\",
];
const CHARS: &[char] = &['a', '<', '-', '\'', '\n', '{', 'é'];

/// The table: a byte `b` is `OPS[b % OPS.len()]`. Go's and goru's words
/// and operators first, then Rust's.
const OPS: &[Op] = &[
    // goru and Go
    Op::Ident("go"),
    Op::Ident("select"),
    Op::Ident("chan"),
    Op::Ident("defer"),
    Op::Ident("goru"),
    Op::Ident("recover"),
    Op::Ident("case"),
    Op::Ident("default"),
    Op::Ident("func"),
    Op::Ident("range"),
    Op::Ident("main"),
    Op::Ident("test"),
    Op::Ident("time"),
    Op::Ident("after"),
    Op::Ident("ms"),
    Op::Ident("close"),
    Op::Ident("crate"),
    Op::Ident("Chan"),
    Op::Ident("Sender"),
    Op::Ident("Receiver"),
    Op::Punct("<-"),
    Op::Punct("<-"),
    Op::Punct("<-"),
    Op::SpacedPunct("<-"),
    Op::Punct(":="),
    Op::Punct("=>"),
    Op::Punct("<<-"),
    Op::Punct("::<-"),
    Op::Punct("!"),
    Op::Punct("#"),
    // names
    Op::Ident("ch"),
    Op::Ident("v"),
    Op::Ident("ok"),
    Op::Ident("rx"),
    Op::Ident("tx"),
    Op::Ident("x"),
    Op::Ident("f"),
    Op::Ident("_"),
    Op::NumberedIdent,
    Op::NumberedIdent,
    // Rust keywords
    Op::Ident("fn"),
    Op::Ident("let"),
    Op::Ident("mut"),
    Op::Ident("if"),
    Op::Ident("else"),
    Op::Ident("for"),
    Op::Ident("in"),
    Op::Ident("loop"),
    Op::Ident("while"),
    Op::Ident("match"),
    Op::Ident("return"),
    Op::Ident("break"),
    Op::Ident("continue"),
    Op::Ident("move"),
    Op::Ident("async"),
    Op::Ident("await"),
    Op::Ident("unsafe"),
    Op::Ident("impl"),
    Op::Ident("struct"),
    Op::Ident("mod"),
    Op::Ident("pub"),
    Op::Ident("self"),
    Op::Ident("Self"),
    Op::Ident("where"),
    Op::Ident("type"),
    Op::Ident("const"),
    Op::Ident("static"),
    Op::Ident("ref"),
    Op::Ident("dyn"),
    Op::Ident("as"),
    Op::Ident("i32"),
    Op::Ident("Some"),
    Op::Ident("None"),
    Op::Ident("Option"),
    Op::Ident("println"),
    Op::Ident("vec"),
    Op::Ident("true"),
    // punctuation
    Op::Punct("="),
    Op::Punct(";"),
    Op::Punct(";"),
    Op::Punct(","),
    Op::Punct(":"),
    Op::Punct("::"),
    Op::Punct("."),
    Op::Punct(".."),
    Op::Punct("..="),
    Op::Punct("<"),
    Op::Punct(">"),
    Op::Punct("-"),
    Op::Punct("->"),
    Op::Punct("+"),
    Op::Punct("*"),
    Op::Punct("&"),
    Op::Punct("&&"),
    Op::Punct("|"),
    Op::Punct("||"),
    Op::Punct("?"),
    Op::Punct("=="),
    Op::Punct("<="),
    Op::Punct("<<"),
    Op::Punct("@"),
    Op::Punct("$"),
    Op::Punct("/"),
    Op::Punct("^"),
    Op::Lifetime("a"),
    Op::Lifetime("static"),
    // literals
    Op::Int,
    Op::Int,
    Op::SuffixedInt,
    Op::Float,
    Op::Str,
    Op::Str,
    Op::Char,
    Op::ByteStr,
    // groups
    Op::Open(Delimiter::Brace),
    Op::Open(Delimiter::Brace),
    Op::Open(Delimiter::Parenthesis),
    Op::Open(Delimiter::Parenthesis),
    Op::Open(Delimiter::Bracket),
    // What a `macro_rules!` `$e:expr` fragment arrives as.
    Op::Open(Delimiter::None),
    Op::Close,
    Op::Close,
    Op::Close,
];

/// Decodes `bytes` into a token stream (never fails). Groups left open at
/// the end are closed; a close with nothing open is skipped.
pub fn decode(bytes: &[u8]) -> TokenStream {
    let span = Span::call_site();
    let mut stack: Vec<(Delimiter, Vec<TokenTree>)> = vec![(Delimiter::None, Vec::new())];
    let mut bytes = bytes.iter().copied();
    while let Some(b) = bytes.next() {
        let mut operand = || bytes.next().unwrap_or(0);
        let out = &mut stack.last_mut().expect("the outermost level stays").1;
        match OPS[usize::from(b) % OPS.len()] {
            Op::Ident(name) => out.push(Ident::new(name, span).into()),
            Op::NumberedIdent => out.push(Ident::new(&format!("v{}", operand()), span).into()),
            Op::Punct(chars) => push_punct(out, chars, true),
            Op::SpacedPunct(chars) => push_punct(out, chars, false),
            Op::Lifetime(name) => {
                out.push(Punct::new('\'', Spacing::Joint).into());
                out.push(Ident::new(name, span).into());
            }
            Op::Int => out.push(Literal::u8_unsuffixed(operand()).into()),
            Op::SuffixedInt => out.push(Literal::i32_suffixed(i32::from(operand())).into()),
            Op::Float => out.push(Literal::f64_unsuffixed(f64::from(operand()) / 4.0).into()),
            Op::Str => out.push(Literal::string(pick::<&str>(STRINGS, operand())).into()),
            Op::Char => out.push(Literal::character(*pick(CHARS, operand())).into()),
            Op::ByteStr => {
                out.push(Literal::byte_string(pick::<&str>(STRINGS, operand()).as_bytes()).into())
            }
            Op::Open(delimiter) => {
                if stack.len() <= MAX_DEPTH {
                    stack.push((delimiter, Vec::new()));
                }
            }
            Op::Close => close(&mut stack),
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().expect("outermost").1.into_iter().collect()
}

fn pick<T>(items: &[T], b: u8) -> &T {
    &items[usize::from(b) % items.len()]
}

fn push_punct(out: &mut Vec<TokenTree>, chars: &str, glued: bool) {
    let n = chars.chars().count();
    for (i, c) in chars.chars().enumerate() {
        let spacing = if glued && i + 1 < n {
            Spacing::Joint
        } else {
            Spacing::Alone
        };
        out.push(Punct::new(c, spacing).into());
    }
}

fn close(stack: &mut Vec<(Delimiter, Vec<TokenTree>)>) {
    if stack.len() > 1 {
        let (delimiter, tokens) = stack.pop().expect("checked");
        let group = Group::new(delimiter, tokens.into_iter().collect());
        stack.last_mut().expect("checked").1.push(group.into());
    }
}

/// How deeply `tokens` nests groups.
pub fn depth(tokens: &TokenStream) -> usize {
    tokens
        .clone()
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(g) => 1 + depth(&g.stream()),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// Byte code that [`decode`]s to about `tokens`: names missing from the
/// table become `vN`, literals become one of the table's, and runs of
/// punctuation are split where the table has no entry for them.
pub fn encode(tokens: &TokenStream) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(tokens, &mut out);
    out
}

fn index_of(wanted: impl Fn(&Op) -> bool) -> Option<u8> {
    OPS.iter()
        .position(wanted)
        .map(|i| u8::try_from(i).expect("the table fits in a byte"))
}

fn encode_into(tokens: &TokenStream, out: &mut Vec<u8>) {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => {
                let open = index_of(|op| matches!(op, Op::Open(d) if *d == g.delimiter()));
                out.push(open.expect("every delimiter is in the table"));
                encode_into(&g.stream(), out);
                out.push(index_of(|op| matches!(op, Op::Close)).expect("close"));
            }
            TokenTree::Ident(id) => {
                let name = id.to_string();
                match index_of(|op| matches!(op, Op::Ident(n) if *n == name)) {
                    Some(b) => out.push(b),
                    None => {
                        out.push(index_of(|op| matches!(op, Op::NumberedIdent)).expect("vN"));
                        out.push(name.bytes().fold(0u8, |h, b| h.wrapping_mul(31) ^ b));
                    }
                }
            }
            TokenTree::Literal(lit) => encode_literal(&lit.to_string(), out),
            TokenTree::Punct(p) if p.as_char() == '\'' => {
                let name = match tokens.get(i + 1) {
                    Some(TokenTree::Ident(id)) if id == "static" => "static",
                    _ => "a",
                };
                out.push(index_of(|op| matches!(op, Op::Lifetime(n) if *n == name)).expect("'a"));
                i += 1;
            }
            TokenTree::Punct(_) => {
                i += encode_punct(&tokens[i..], out);
                continue;
            }
        }
        i += 1;
    }
}

/// Encodes the longest glued run at the start of `tokens` that the table
/// has; returns how many tokens it took.
fn encode_punct(tokens: &[TokenTree], out: &mut Vec<u8>) -> usize {
    let mut run = String::new();
    for t in tokens {
        let TokenTree::Punct(p) = t else { break };
        if p.as_char() == '\'' {
            break;
        }
        run.push(p.as_char());
        if p.spacing() == Spacing::Alone {
            break;
        }
    }
    for len in (1..=run.len()).rev() {
        let prefix = &run[..len];
        if let Some(b) = index_of(|op| matches!(op, Op::Punct(s) if *s == prefix)) {
            out.push(b);
            return len;
        }
    }
    // A character the table lacks: `#` stands in for it.
    out.push(index_of(|op| matches!(op, Op::Punct("#"))).expect("#"));
    1
}

fn encode_literal(text: &str, out: &mut Vec<u8>) {
    let (op, operand): (fn(&Op) -> bool, u8) = if text.starts_with('"') {
        (|op| matches!(op, Op::Str), 1)
    } else if text.starts_with("b\"") {
        (|op| matches!(op, Op::ByteStr), 1)
    } else if text.starts_with('\'') {
        (|op| matches!(op, Op::Char), 0)
    } else if text.contains('.') {
        (|op| matches!(op, Op::Float), 2)
    } else {
        let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
        (
            |op| matches!(op, Op::Int),
            digits.parse::<u64>().map_or(1, |n| (n % 256) as u8),
        )
    };
    out.push(index_of(op).expect("every literal kind is in the table"));
    out.push(operand);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_fits_in_a_byte() {
        assert!(OPS.len() <= 256);
    }

    #[test]
    fn encode_then_decode_keeps_goru_syntax() {
        let src = "fn f(ch: Chan<i32>) { ch <- 1; let v = <-ch; select! { v = <-ch => {} default => {} } }";
        let tokens: TokenStream = src.parse().unwrap();
        let round = decode(&encode(&tokens));
        assert_eq!(round.to_string(), tokens.to_string());
    }

    #[test]
    fn every_byte_string_decodes() {
        for b in 0..=255u8 {
            let _ = decode(&[b, b, 255 - b, b / 2]);
        }
        let deep = decode(&[index_of(|op| matches!(op, Op::Open(_))).unwrap(); 100]);
        assert!(depth(&deep) <= MAX_DEPTH);
    }
}
