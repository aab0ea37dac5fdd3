//! Unit tests of the macro front-end: expansion snapshots for
//! representative inputs, and a property test that feeds random token
//! streams to every entry point and checks that none panics.
//!
//! Snapshots live in `macros/core/snapshots/`; regenerate them with
//! `GORU_BLESS=1 cargo test -p goru-macros-core`. The same inputs are compiled,
//! under clippy with warnings denied, by `tests/expansions.rs`.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::quote;

use crate::cx::Cx;

fn krate() -> TokenStream {
    quote!(::goru)
}

fn goru(input: TokenStream) -> TokenStream {
    let mut cx = Cx::new(krate());
    let out = crate::goru::expand(&mut cx, input);
    cx.finish(out)
}

/// Pretty-prints an expansion that is a list of items.
fn pretty_items(tokens: TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).expect("expansion parses as items");
    prettyplease::unparse(&file)
}

/// Pretty-prints an expression or statements by wrapping them in a function.
fn pretty_stmts(tokens: TokenStream) -> String {
    pretty_items(quote!(fn expansion() { #tokens }))
}

fn check_snapshot(name: &str, actual: &str) {
    let path = format!("{}/snapshots/{name}.rs", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("GORU_BLESS").is_some() {
        std::fs::create_dir_all(format!("{}/snapshots", env!("CARGO_MANIFEST_DIR"))).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing snapshot {path}: run with GORU_BLESS=1"));
    assert_eq!(
        expected, actual,
        "expansion of `{name}` changed; if intended, rerun with GORU_BLESS=1"
    );
}

#[test]
fn snapshot_operators_and_defer() {
    let input = quote! {
        fn worker(jobs: Receiver<i32>, results: Sender<i32>, done: Sender<()>) {
            defer!(done.close());
            for j in &jobs {
                results <- j * 2;
            }
            println!("{:?}", <-jobs);
        }
    };
    check_snapshot("operators_and_defer", &pretty_items(goru(input)));
}

#[test]
fn snapshot_select() {
    let mut cx = Cx::new(krate());
    let arms = crate::select::parse(
        &mut cx,
        quote! {
            v = <-rx => { println!("{v:?}"); }
            tx <- 1 => {}
            <-time::after(ms(10)) => return,
            default => { break; }
        },
    );
    let out = crate::select::expand(&mut cx, arms, Span::call_site());
    check_snapshot("select", &pretty_stmts(cx.finish(out)));
}

#[test]
fn snapshot_go_call_and_block() {
    let mut cx = Cx::new(krate());
    let call = crate::go::expand(
        &mut cx,
        quote!(worker(w, jobs.receiver())),
        Span::call_site(),
    );
    let block = crate::go::expand(
        &mut cx,
        quote! { defer!(wg.close()); out <- 1; },
        Span::call_site(),
    );
    check_snapshot("go", &pretty_stmts(cx.finish(quote!(#call; #block;))));
}

#[test]
fn snapshot_recover_and_nested_defer() {
    let input = quote! {
        fn parse(s: &str) -> Result<i32, String> {
            defer! {
                if let Some(r) = recover() {
                    return Err(format!("recovered: {r}"));
                }
            }
            for i in 0..2 {
                defer!(println!("deferred {}", i));
            }
            Ok(s.parse::<i32>().unwrap())
        }
    };
    check_snapshot("recover_and_nested_defer", &pretty_items(goru(input)));
}

#[test]
fn snapshot_main_entry() {
    let out = crate::entry::expand_attribute(
        crate::entry::Kind::Main,
        TokenStream::new(),
        quote! { fn main() { defer!(println!("bye")); println!("hi"); } },
    );
    check_snapshot("main_entry", &pretty_items(out));
}

#[test]
fn internal_panic_becomes_a_compile_error() {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = crate::guarded(|| panic!("a bug"));
    std::panic::set_hook(hook);
    let out = out.to_string();
    assert!(out.contains("compile_error"), "{out}");
    assert!(out.contains("internal error in the macro"), "{out}");
}

#[test]
fn spaced_less_than_minus_stays_a_comparison() {
    let out = goru(quote!(
        fn f(a: i32, b: i32) -> bool {
            a < -b
        }
    ));
    assert!(!out.to_string().contains("send"), "{out}");
    // Written without a space, it is Go's send.
    let out = goru("fn f(ch: Chan<i32>) { ch<-1; }".parse().unwrap());
    assert!(out.to_string().contains("send"), "{out}");
    // `<<-` is a shift of a negation, `::<-1>` a turbofish.
    let out = goru("fn f(a: i32) -> i32 { a<<-1 }".parse().unwrap());
    assert!(!out.to_string().contains("recv"), "{out}");
}

// ---- robustness: random token streams never make a macro panic ----

/// A small deterministic generator (splitmix64), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const IDENTS: &[&str] = &[
    "ch", "v", "rx", "tx", "default", "select", "defer", "go", "chan", "recover", "fn", "let",
    "if", "else", "for", "in", "loop", "match", "return", "break", "move", "async", "self", "mut",
    "f", "goru", "main", "test", "impl", "struct", "i32", "Some", "None", "while",
];
const PUNCTS: &[char] = &[
    '<', '-', '=', '>', ';', ',', '!', ':', '.', '?', '&', '*', '|', '#', '+', '\'',
];

fn random_stream(rng: &mut Rng, depth: usize) -> TokenStream {
    let len = rng.below(14);
    let mut out = Vec::with_capacity(len);
    for _ in 0..len {
        let tree = match rng.below(10) {
            0..=3 => TokenTree::Ident(Ident::new(
                IDENTS[rng.below(IDENTS.len())],
                Span::call_site(),
            )),
            4..=6 => {
                let c = PUNCTS[rng.below(PUNCTS.len())];
                if c == '\'' {
                    // A lifetime needs an identifier after the quote.
                    out.push(TokenTree::Punct(Punct::new('\'', Spacing::Joint)));
                    TokenTree::Ident(Ident::new("a", Span::call_site()))
                } else {
                    let spacing = if rng.below(2) == 0 {
                        Spacing::Joint
                    } else {
                        Spacing::Alone
                    };
                    TokenTree::Punct(Punct::new(c, spacing))
                }
            }
            7 => TokenTree::Literal(match rng.below(3) {
                0 => Literal::i32_unsuffixed(rng.below(100) as i32),
                1 => Literal::string("s"),
                _ => Literal::usize_suffixed(rng.below(9)),
            }),
            _ if depth < 4 => {
                let delim =
                    [Delimiter::Parenthesis, Delimiter::Brace, Delimiter::Bracket][rng.below(3)];
                TokenTree::Group(Group::new(delim, random_stream(rng, depth + 1)))
            }
            _ => TokenTree::Ident(Ident::new("x", Span::call_site())),
        };
        out.push(tree);
    }
    out.into_iter().collect()
}

/// Runs every entry point on `input`, as the proc macros do but without
/// their guard; returns the name of one that panicked.
fn expand_all(input: &TokenStream) -> Option<String> {
    let mut runs: Vec<(String, Box<dyn FnOnce()>)> = Vec::new();
    for mac in crate::Macro::ALL {
        // What the facade's `macro_rules!` wrapper passes.
        let wrapped = quote!([::goru] #input);
        runs.push((
            format!("{mac:?}"),
            Box::new(move || drop(crate::expand_unguarded(mac, wrapped))),
        ));
    }
    let item = input.clone();
    runs.push((
        "#[goru::main]".to_string(),
        Box::new(move || {
            drop(crate::expand_attribute_unguarded(
                crate::Attribute::Main,
                TokenStream::new(),
                item,
            ))
        }),
    ));
    let args = input.clone();
    runs.push((
        "#[goru::test] args".to_string(),
        Box::new(move || {
            drop(crate::expand_attribute_unguarded(
                crate::Attribute::Test,
                args,
                quote!(
                    fn t() {}
                ),
            ))
        }),
    ));
    runs.into_iter().find_map(|(name, run)| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
            .is_err()
            .then_some(name)
    })
}

#[test]
fn random_token_streams_never_panic() {
    let iterations: u64 = std::env::var("GORU_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let seed: u64 = std::env::var("GORU_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED);
    let mut rng = Rng(seed);
    // Quiet the default hook: a failure is reported below with its input.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failure = None;
    for _ in 0..iterations {
        let input = random_stream(&mut rng, 0);
        // Also as a function body: reaches the Go-rules pass.
        let wrapped = quote!(fn f() { #input });
        for candidate in [input, wrapped] {
            if let Some(entry) = expand_all(&candidate) {
                failure = Some(format!("{entry} panicked on: {candidate}"));
                break;
            }
        }
        if failure.is_some() {
            break;
        }
    }
    std::panic::set_hook(hook);
    if let Some(f) = failure {
        panic!("{f}");
    }
}

#[test]
fn mutated_valid_programs_never_panic() {
    // Valid programs with one token removed or duplicated: the near-misses
    // users actually type.
    let programs = [
        quote! { fn f(ch: Chan<i32>) { ch <- 1; let v = <-ch; println!("{:?}", v); } },
        quote! { fn f(a: Chan<i32>, b: Chan<i32>) { select! { v = <-a => { println!("{v:?}"); } b <- 2 => {} default => {} } } },
        quote! { fn f(c: Chan<()>) { defer!(c.close()); defer! { if let Some(r) = recover() { println!("{r}"); } } go!(g(1)); go! { c <- (); } } },
        quote! { #[goru::main] fn main() { let c = chan![i32; 3]; c <- 1; } },
    ];
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failure = None;
    'outer: for program in programs {
        for input in mutations(&program) {
            if let Some(entry) = expand_all(&input) {
                failure = Some(format!("{entry} panicked on: {input}"));
                break 'outer;
            }
        }
    }
    std::panic::set_hook(hook);
    if let Some(f) = failure {
        panic!("{f}");
    }
}

/// Every stream made from `ts` by removing or doubling one token, at any
/// depth.
fn mutations(ts: &TokenStream) -> Vec<TokenStream> {
    let v: Vec<TokenTree> = ts.clone().into_iter().collect();
    let mut out = Vec::new();
    for i in 0..v.len() {
        let mut removed = v.clone();
        removed.remove(i);
        out.push(removed.into_iter().collect());
        let mut doubled = v.clone();
        doubled.insert(i, v[i].clone());
        out.push(doubled.into_iter().collect());
        if let TokenTree::Group(g) = &v[i] {
            for inner in mutations(&g.stream()) {
                let mut changed = v.clone();
                changed[i] = TokenTree::Group(Group::new(g.delimiter(), inner));
                out.push(changed.into_iter().collect());
            }
        }
    }
    out
}

// ---- regressions found by the fuzz target (fuzz/fuzz_targets/macros.rs) ----

/// Runs `input` through every entry point; panics with the entry's name
/// if one panicked.
fn assert_no_panic(input: TokenStream) {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let failure = expand_all(&input);
    std::panic::set_hook(hook);
    if let Some(entry) = failure {
        panic!("{entry} panicked on: {input}");
    }
}

#[test]
fn closure_with_a_let_body_does_not_panic() {
    // syn reads `let` after `||` as an expression; as the body's only
    // statement it needs a `;`, so re-parsing `{ let x = () }` failed.
    assert_no_panic(quote!(#[goru::main] fn main() { || let go = () }));
    assert_no_panic(quote!(fn f() { let g = || let x = (); }));
}

#[test]
fn a_run_of_go_keywords_stays_flat() {
    // Each `go` used to wrap the rest of the statement in a `go!(..)`,
    // which expanded recursively: 800 of them overflowed the stack.
    let gos: TokenStream = std::iter::repeat_n(quote!(go), 2000).collect();
    assert_no_panic(quote!(#gos f(x);));
    assert_no_panic(quote!(fn f() { #gos defer g(); }));
    let out = crate::expand_unguarded(crate::Macro::Goru, quote!([::goru] fn f() { go go g(); }));
    let out = out.to_string();
    assert!(out.contains("takes a function call, not `go`"), "{out}");
}

#[test]
fn odd_crate_paths_do_not_panic() {
    // A direct call of the hidden `*_impl!` macros may pass anything as
    // the `[$crate]` group.
    let body = quote! {
        #[goru::main]
        fn main() {
            defer!(f());
            let c = chan![i32; 1];
            c <- 1;
            go!(g(<-c));
            select! { v = <-c => {} default => {} }
        }
    };
    for krate in [
        quote!([1]),
        quote!([<]),
        quote!([fn]),
        quote!([a b]),
        quote!([::]),
    ] {
        for mac in crate::Macro::ALL {
            let input = quote!(#krate #body);
            let hook = std::panic::take_hook();
            std::panic::set_hook(Box::new(|_| {}));
            let result = std::panic::catch_unwind(|| crate::expand_unguarded(mac, input));
            std::panic::set_hook(hook);
            assert!(result.is_ok(), "{mac:?} panicked with crate path {krate}");
        }
    }
}
