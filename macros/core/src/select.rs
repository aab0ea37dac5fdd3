//! `select!`: parse the arms (our own small AST), then expand into one call
//! of the runtime's select engine and a `match` on the chosen index, so arm
//! bodies are inline code (`break`, `continue`, `return` and `?` act on the
//! enclosing function or loop) and no closure or goroutine is made.

use proc_macro2::{Delimiter, Spacing, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};

use crate::arrow;
use crate::cx::{Cx, hidden};

pub(crate) enum Op {
    /// `pat = <-ch` or `<-ch`.
    Recv {
        pattern: Option<TokenStream>,
        chan: TokenStream,
        /// Set when the pattern was Go's `v, ok`: the names are bound to
        /// this error expression, so the body raises no further errors.
        pattern_error: Option<TokenStream>,
    },
    /// `ch <- value`.
    Send {
        chan: TokenStream,
        value: TokenStream,
    },
    Default,
    /// An arm whose head was rejected (and reported): its body is still
    /// emitted, in an arm that never runs, so it is checked and what it
    /// uses counts as used.
    Invalid,
}

pub(crate) struct Arm {
    pub(crate) op: Op,
    pub(crate) span: Span,
    pub(crate) body: TokenStream,
}

/// Parses the arms; malformed arms are reported and kept as [`Op::Invalid`].
pub(crate) fn parse(cx: &mut Cx, input: TokenStream) -> Vec<Arm> {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let mut arms = Vec::new();
    let mut default_seen: Option<Span> = None;
    let mut i = 0;
    while i < tokens.len() {
        // Head: up to `=>`, or up to a block that can only be this arm's
        // body (the `=>` was forgotten).
        let head_start = i;
        while i < tokens.len()
            && !is_fat_arrow(&tokens, i)
            && !is_body_without_arrow(&tokens, head_start, i)
        {
            i += 1;
        }
        let mut head = &tokens[head_start..i];
        if i >= tokens.len() {
            let at = head.last().map_or_else(Span::call_site, TokenTree::span);
            cx.error(
                at,
                "expected `=>` after this select! arm's channel operation, then its body: `v = <-rx => { ... }`",
            );
            break;
        }
        let arrow_span;
        if is_fat_arrow(&tokens, i) {
            arrow_span = tokens[i].span();
            i += 2;
        } else {
            // A block right after the channel operation: report the
            // missing `=>` and read the block as the body.
            arrow_span = tokens[i].span();
            let go_colon = matches!(head.last(), Some(TokenTree::Punct(p)) if p.as_char() == ':');
            if go_colon {
                cx.push(syn::Error::new_spanned(
                    &head[head.len() - 1],
                    "select! arms use `=>` where Go's `case` uses `:`: `v = <-rx => { ... }`",
                ));
                head = &head[..head.len() - 1];
            } else {
                cx.error(
                    open_span(&tokens[i]),
                    "expected `=>` between this select! arm's channel operation and its body: `v = <-rx => { ... }`",
                );
            }
        }
        // Go's `case` keyword.
        if let Some(TokenTree::Ident(id)) = head.first()
            && id == "case"
        {
            cx.error(
                id.span(),
                "select! arms have no `case` keyword: write `v = <-rx => { ... }`, `tx <- v => { ... }` or `default => { ... }`",
            );
            head = &head[1..];
        }
        // Body: a block (optionally followed by `,`) or an expression up to `,`.
        let body: TokenStream = match tokens.get(i) {
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                i += 1;
                if matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
                    i += 1;
                }
                TokenTree::Group(g.clone()).into()
            }
            _ => {
                let start = i;
                while i < tokens.len()
                    && !matches!(&tokens[i], TokenTree::Punct(p) if p.as_char() == ',')
                {
                    i += 1;
                }
                let expr: TokenStream = tokens[start..i].iter().cloned().collect();
                i += 1;
                if expr.is_empty() {
                    cx.error(arrow_span, "expected an arm body after `=>`: `=> { ... }`");
                }
                quote!({ #expr })
            }
        };
        let span = head.first().map_or(arrow_span, TokenTree::span);
        let mut op = parse_head(cx, head, arrow_span).unwrap_or(Op::Invalid);
        if matches!(op, Op::Default) {
            if default_seen.is_some() {
                cx.error(
                    span,
                    "multiple defaults in select!: only one `default` arm is allowed",
                );
                op = Op::Invalid;
            } else {
                default_seen = Some(span);
            }
        }
        arms.push(Arm { op, span, body });
    }
    arms
}

fn is_fat_arrow(tokens: &[TokenTree], i: usize) -> bool {
    matches!((tokens.get(i), tokens.get(i + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == '=' && a.spacing() == Spacing::Joint && b.as_char() == '>')
}

/// `tokens[i]` is a block that ends an arm head written without `=>`: a
/// brace group after some head, followed by the end, by the next arm (a
/// name or an arrow) or by `,`; never part of an expression such as
/// `tx <- S { .. } => ..` or `if c { .. } else { .. }`.
fn is_body_without_arrow(tokens: &[TokenTree], head_start: usize, i: usize) -> bool {
    let Some(TokenTree::Group(g)) = tokens.get(i) else {
        return false;
    };
    if g.delimiter() != Delimiter::Brace || i == head_start {
        return false;
    }
    match tokens.get(i + 1) {
        None => true,
        Some(TokenTree::Ident(id)) => id != "else" && id != "as",
        Some(TokenTree::Punct(p)) if p.as_char() == ',' => true,
        Some(_) => arrow::is_arrow(tokens, i + 1),
    }
}

fn open_span(t: &TokenTree) -> Span {
    match t {
        TokenTree::Group(g) => g.span_open(),
        other => other.span(),
    }
}

fn parse_head(cx: &mut Cx, head: &[TokenTree], arrow_span: Span) -> Option<Op> {
    if let [TokenTree::Ident(id)] = head
        && id == "default"
    {
        return Some(Op::Default);
    }
    let at = match (0..head.len()).find(|&k| arrow::is_arrow(head, k)) {
        Some(at) => at,
        None => match (0..head.len()).find(|&k| arrow::is_spaced_arrow(head, k)) {
            Some(k) => {
                // Reported, then read as the arrow it was meant to be.
                cx.push(syn::Error::new_spanned(
                    head[k..k + 2].iter().cloned().collect::<TokenStream>(),
                    "write Go's arrow `<-` without a space: `< -` is a comparison with a negation",
                ));
                k
            }
            None => {
                let what: TokenStream = head.iter().cloned().collect();
                if what.is_empty() {
                    cx.error(
                        arrow_span,
                        "a select! arm must start with a channel operation: `v = <-rx`, `<-rx`, `tx <- value` or `default`",
                    );
                } else {
                    cx.push(syn::Error::new_spanned(
                        what,
                        "a select! arm must be a channel operation: `v = <-rx`, `<-rx`, `tx <- value` or `default`",
                    ));
                }
                return None;
            }
        },
    };
    let arrow_tokens: TokenStream = head[at..at + 2].iter().cloned().collect();
    let before = &head[..at];
    let after: TokenStream = head[at + 2..].iter().cloned().collect();
    // Go's `v := <-ch`: reported, then read as `v = <-ch`.
    let short_decl = before.len() >= 2
        && matches!((&before[before.len() - 2], &before[before.len() - 1]),
            (TokenTree::Punct(c), TokenTree::Punct(e))
                if c.as_char() == ':' && c.spacing() == Spacing::Joint && e.as_char() == '=');
    if short_decl {
        cx.push(syn::Error::new_spanned(
            before[before.len() - 2..]
                .iter()
                .cloned()
                .collect::<TokenStream>(),
            "select! arms bind with `=`, not Go's `:=`: `v = <-rx => { ... }`",
        ));
        let mut pat = before[..before.len() - 2].to_vec();
        pat.push(before[before.len() - 1].clone());
        return recv_arm(cx, &pat, after, &arrow_tokens);
    }
    let is_assign = matches!(before.last(), Some(TokenTree::Punct(p)) if p.as_char() == '=')
        && !matches!(before.get(before.len().wrapping_sub(2)),
            Some(TokenTree::Punct(p)) if p.spacing() == Spacing::Joint);
    if before.is_empty() || is_assign {
        return recv_arm(cx, before, after, &arrow_tokens);
    }
    if after.is_empty() {
        cx.push(syn::Error::new_spanned(
            arrow_tokens,
            "`<-` needs a value to send: `tx <- value => { ... }`",
        ));
        return None;
    }
    Some(Op::Send {
        chan: before.iter().cloned().collect(),
        value: after,
    })
}

/// A receive arm: `before` is empty or `pattern =`.
fn recv_arm(
    cx: &mut Cx,
    before: &[TokenTree],
    chan: TokenStream,
    arrow: &TokenStream,
) -> Option<Op> {
    if chan.is_empty() {
        cx.push(syn::Error::new_spanned(
            arrow,
            "`<-` needs a channel after it: `<-rx => { ... }`",
        ));
        return None;
    }
    let Some((_eq, pat)) = before.split_last() else {
        return Some(Op::Recv {
            pattern: None,
            chan,
            pattern_error: None,
        });
    };
    if pat.is_empty() {
        cx.push(syn::Error::new_spanned(
            &before[0],
            "expected a name before `= <-`: `v = <-rx`",
        ));
        return None;
    }
    let pattern: TokenStream = pat.iter().cloned().collect();
    let pattern_error = pat
        .iter()
        .find(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
        .map(|comma| {
            arrow::error_expr(
                &comma.clone().into(),
                "goru's receive gives an `Option` instead of Go's `v, ok`: write `v = <-rx` and match `Some(x)` (received) / `None` (closed)",
            )
        });
    Some(Op::Recv {
        pattern: Some(pattern),
        chan,
        pattern_error,
    })
}

/// Expands parsed arms; bodies get their `<-` rewritten.
pub(crate) fn expand(cx: &mut Cx, arms: Vec<Arm>, whole: Span) -> TokenStream {
    if arms.is_empty() {
        let block_forever = cx.runtime_fn("block_forever", whole, whole);
        return quote_spanned!(whole=> #block_forever());
    }
    let mut setup = TokenStream::new();
    let mut cases = Vec::new();
    let mut match_arms = TokenStream::new();
    let mut default_body = None;
    let mut never_run = Vec::new();
    for arm in arms {
        let body = arrow::rewrite(cx, arm.body);
        let index = cases.len();
        let case = hidden(&format!("__goru_case{index}"));
        let span = arm.span;
        match arm.op {
            Op::Default => {
                default_body = Some(body);
                continue;
            }
            Op::Invalid => {
                never_run.push(body);
                continue;
            }
            Op::Recv {
                pattern,
                chan,
                pattern_error,
            } => {
                let chan = arrow::rewrite(cx, chan);
                let (func, chan_ref) = case_call(cx, "recv_case", &chan, span, index);
                setup.extend(quote_spanned!(span=>
                    let #chan_ref = &(#chan);
                    let mut #case = #func(#chan_ref);
                ));
                let bind = match (pattern, pattern_error) {
                    (Some(p), Some(error)) => quote!(let _ = #case.take(); let (#p) = #error;),
                    (Some(p), None) => quote!(let #p = #case.take();),
                    (None, _) => quote!(let _ = #case.take();),
                };
                // The user's braces around the body are not "unnecessary
                // braces around block return value".
                match_arms.extend(quote!(
                    #[allow(unused_braces)]
                    ::core::option::Option::Some(#index) => { #bind #body }
                ));
            }
            Op::Send { chan, value } => {
                let chan = arrow::rewrite(cx, chan);
                let value = arrow::rewrite(cx, value);
                let (func, chan_ref) = case_call(cx, "send_case", &chan, span, index);
                setup.extend(quote_spanned!(span=>
                    let #chan_ref = &(#chan);
                    let mut #case = #func(#chan_ref, #value);
                ));
                match_arms.extend(quote!(
                    ::core::option::Option::Some(#index) => #body
                ));
            }
        }
        cases.push(case);
    }
    // Bodies of rejected arms, under indices `select` never returns.
    for (k, body) in never_run.into_iter().enumerate() {
        let index = cases.len() + k;
        match_arms.extend(quote!(
            ::core::option::Option::Some(#index) => #body
        ));
    }
    let select = cx.runtime_fn("select", whole, whole);
    let has_default = default_body.is_some();
    let default_arm = match default_body {
        Some(body) => quote!(::core::option::Option::None => #body),
        None => TokenStream::new(),
    };
    quote_spanned!(whole=> {
        #setup
        match #select(&mut [#(#cases.case()),*], #has_default) {
            #match_arms
            #default_arm
            #[allow(unreachable_patterns)]
            _ => ::core::unreachable!("select returned an index it was not given"),
        }
    })
}

/// The runtime function of a case and the hidden binding of its channel,
/// both located at the arm's channel expression, so a non-channel
/// operand's error points there.
fn case_call(
    cx: &Cx,
    name: &str,
    chan: &TokenStream,
    span: Span,
    index: usize,
) -> (TokenStream, proc_macro2::Ident) {
    let start = arrow::first_span(chan, span);
    let end = arrow::last_span(chan, span);
    let func = cx.runtime_fn_macro_context(name, start, end);
    (func, cx.hidden_at(&format!("__goru_chan{index}"), start))
}
