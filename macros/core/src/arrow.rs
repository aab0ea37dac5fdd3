//! The token pass for Go's `<-` operator. It runs before syn sees the code,
//! because syn would read `ch <- v` as `ch < -v` and reject `<-ch`.
//!
//! `<-` is the arrow only when written without a space (`<` joint with
//! `-`), so `a < -b` stays a comparison. After an operand (`ch <- v`) it is
//! a send, which runs to the end of the statement, arm or argument;
//! elsewhere (`<-ch`) a receive, whose operand is a unary expression as in
//! Go: a path, literal or group followed by fields, calls, indexing, `?`.
//! `select!` bodies are left alone: `select!` reads its arms itself.

use proc_macro2::{Delimiter, Group, Spacing, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};

use crate::cx::Cx;

/// Rewrites every `<-` in `input`, at any depth, into runtime calls.
pub(crate) fn rewrite(cx: &mut Cx, input: TokenStream) -> TokenStream {
    rewrite_with(cx, input, true)
}

/// `go_syntax`: also report Go statements written as Go (`v := x`,
/// `go f()`, `select {`); off inside other macros' arguments, whose syntax
/// is theirs.
fn rewrite_with(cx: &mut Cx, input: TokenStream, go_syntax: bool) -> TokenStream {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let tokens = rewrite_groups(cx, tokens, go_syntax);
    rewrite_level(cx, &tokens, go_syntax).into_iter().collect()
}

fn rewrite_groups(cx: &mut Cx, tokens: Vec<TokenTree>, go_syntax: bool) -> Vec<TokenTree> {
    let mut out = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        match t {
            TokenTree::Group(g) if !is_select_body(&tokens, i) => {
                let inner =
                    rewrite_with(cx, g.stream(), go_syntax && !is_foreign_macro(&tokens, i));
                let mut ng = Group::new(g.delimiter(), inner);
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            other => out.push(other.clone()),
        }
    }
    out
}

/// `tokens[i]` is the argument group of a macro other than goru's own
/// `go!` and `defer!` (whose operands are goru code), or the body of a
/// `macro_rules!` definition.
fn is_foreign_macro(tokens: &[TokenTree], i: usize) -> bool {
    let bang = |k: usize| matches!(tokens.get(k), Some(TokenTree::Punct(p)) if p.as_char() == '!');
    (i >= 2
        && bang(i - 1)
        && !matches!(&tokens[i - 2], TokenTree::Ident(id) if id == "go" || id == "defer"))
        || (i >= 3
            && bang(i - 2)
            && matches!(&tokens[i - 3], TokenTree::Ident(id) if id == "macro_rules"))
}

/// `select ! { .. }` (or `goru::select!`): its arms keep their arrows. So
/// do those of Go's `select { .. }`, reported in [`go_keyword`].
fn is_select_body(tokens: &[TokenTree], i: usize) -> bool {
    (i >= 2
        && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '!')
        && matches!(&tokens[i - 2], TokenTree::Ident(id) if id == "select"))
        || (i >= 1
            && matches!(&tokens[i - 1], TokenTree::Ident(id) if id == "select")
            && matches!(&tokens[i], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
            && at_statement_start(&tokens[..i - 1]))
}

/// Whether a statement starts after `out`.
fn at_statement_start(out: &[TokenTree]) -> bool {
    match out.last() {
        None => true,
        Some(TokenTree::Punct(p)) => p.as_char() == ';',
        Some(TokenTree::Group(g)) => g.delimiter() == Delimiter::Brace,
        Some(_) => false,
    }
}

/// Go's `go f(x)`, `defer f(x)` and `select { .. }` written as Go
/// statements at `tokens[i]` (never valid Rust): reported, then read as
/// the macros. Returns the index to go on from.
fn go_keyword(
    cx: &mut Cx,
    tokens: &[TokenTree],
    i: usize,
    out: &mut Vec<TokenTree>,
) -> Option<usize> {
    let TokenTree::Ident(keyword) = &tokens[i] else {
        return None;
    };
    if !at_statement_start(out) {
        return None;
    }
    let name = keyword.to_string();
    let span = keyword.span();
    let bang = quote_spanned!(span=> !);
    match (name.as_str(), tokens.get(i + 1)) {
        ("select", Some(TokenTree::Group(g))) if g.delimiter() == Delimiter::Brace => {
            cx.error(
                span,
                "Go's `select` is the `select!` macro in goru: `select! { v = <-rx => { ... } default => { ... } }`",
            );
            out.push(tokens[i].clone());
            out.extend(bang);
            Some(i + 1)
        }
        ("go" | "defer", Some(TokenTree::Ident(next))) if next == "go" || next == "defer" => {
            // `go go f()`: this keyword is dropped (the next one is read on
            // its own). Wrapping the rest as `go!(go f())` instead would nest
            // one macro per keyword: a long run of them made expansions
            // quadratic and deep enough to overflow syn's stack.
            cx.error(
                span,
                format!("Go's `{name}` statement takes a function call, not `{next}`"),
            );
            Some(i + 1)
        }
        ("go" | "defer", Some(TokenTree::Ident(next))) => {
            let end = statement_end(tokens, i + 1);
            if next == "func" {
                // Go's `go func() { .. }()`: the block is the body.
                cx.error(
                    span,
                    format!("Go's `{name} func() {{ ... }}()` is `{name}! {{ ... }}` in goru"),
                );
                let body = tokens[i + 1..end]
                    .iter()
                    .find(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
                    .cloned()
                    .unwrap_or_else(|| group(Delimiter::Brace, TokenStream::new(), span));
                out.push(tokens[i].clone());
                out.extend(bang);
                out.push(body);
            } else {
                cx.error(
                    span,
                    format!("Go's `{name}` statement is the `{name}!` macro in goru: `{name}!(f(x))` or `{name}! {{ ... }}`"),
                );
                out.push(tokens[i].clone());
                out.extend(bang);
                out.push(group(
                    Delimiter::Parenthesis,
                    tokens[i + 1..end].iter().cloned().collect(),
                    span,
                ));
            }
            Some(end)
        }
        _ => None,
    }
}

/// `tokens[i]` starts an arrow: `<` joint with a following `-`, and not the
/// second half of `<<` or of a turbofish `::<`.
pub(crate) fn is_arrow(tokens: &[TokenTree], i: usize) -> bool {
    let (Some(TokenTree::Punct(lt)), Some(TokenTree::Punct(minus))) =
        (tokens.get(i), tokens.get(i + 1))
    else {
        return false;
    };
    if lt.as_char() != '<' || lt.spacing() != Spacing::Joint || minus.as_char() != '-' {
        return false;
    }
    !matches!(i.checked_sub(1).and_then(|j| tokens.get(j)),
        Some(TokenTree::Punct(p)) if p.spacing() == Spacing::Joint && matches!(p.as_char(), '<' | ':'))
}

/// `tokens[i]` is `<` `-` with a space between: Go's arrow mistyped.
pub(crate) fn is_spaced_arrow(tokens: &[TokenTree], i: usize) -> bool {
    matches!((tokens.get(i), tokens.get(i + 1)),
        (Some(TokenTree::Punct(lt)), Some(TokenTree::Punct(minus)))
            if lt.as_char() == '<' && lt.spacing() == Spacing::Alone && minus.as_char() == '-')
}

/// Keywords after which an expression starts (so `<-` there receives).
const NON_OPERAND_KEYWORDS: &[&str] = &[
    "as", "async", "box", "break", "const", "continue", "do", "dyn", "else", "enum", "extern",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "type", "unsafe", "use", "where", "while", "yield",
];

fn ends_operand(t: &TokenTree) -> bool {
    match t {
        TokenTree::Ident(id) => !NON_OPERAND_KEYWORDS.contains(&id.to_string().as_str()),
        TokenTree::Literal(_) => true,
        TokenTree::Group(g) => g.delimiter() != Delimiter::Brace,
        TokenTree::Punct(p) => p.as_char() == '?',
    }
}

/// One group level (inner groups already rewritten).
fn rewrite_level(cx: &mut Cx, tokens: &[TokenTree], go_syntax: bool) -> Vec<TokenTree> {
    let mut out: Vec<TokenTree> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if go_syntax && is_short_decl(tokens, i) {
            i = short_decl(cx, tokens, i, &mut out);
            continue;
        }
        if go_syntax && let Some(next) = go_keyword(cx, tokens, i, &mut out) {
            i = next;
            continue;
        }
        if !is_arrow(tokens, i) {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        }
        let arrow = arrow_tokens(tokens, i);
        if out.last().is_some_and(ends_operand) {
            // Send: the operand before it is the channel.
            let start = send_target_start(&out);
            let target: TokenStream = out.drain(start..).collect();
            let end = statement_end(tokens, i + 2);
            let value = &tokens[i + 2..end];
            let value: TokenStream = if value.is_empty() {
                // In place of the value, so the send has no other error.
                missing_value(&arrow)
            } else {
                rewrite_level(cx, value, go_syntax).into_iter().collect()
            };
            out.extend(send_call(cx, &arrow, target, value));
            i = end;
        } else {
            let (operand, next) = receive_operand(cx, tokens, i + 2);
            out.extend(recv_call(cx, &arrow, operand));
            i = next;
        }
    }
    out
}

/// `tokens[i]` starts Go's `:=` (never valid Rust).
fn is_short_decl(tokens: &[TokenTree], i: usize) -> bool {
    matches!((tokens.get(i), tokens.get(i + 1)),
        (Some(TokenTree::Punct(c)), Some(TokenTree::Punct(e)))
            if c.as_char() == ':' && c.spacing() == Spacing::Joint && e.as_char() == '=')
        && !matches!(i.checked_sub(1).and_then(|j| tokens.get(j)),
            Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
}

/// Go's `names := value` at `tokens[i]`: reported, then read as
/// `let names = value` so the rest of the function raises no errors.
/// Returns the index to go on from.
fn short_decl(cx: &mut Cx, tokens: &[TokenTree], i: usize, out: &mut Vec<TokenTree>) -> usize {
    let decl: TokenStream = tokens[i..i + 2].iter().cloned().collect();
    // The names: back to the start of the statement.
    let start = out
        .iter()
        .rposition(|t| match t {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
            _ => false,
        })
        .map_or(0, |k| k + 1);
    // Go's `for v := range x {`.
    if matches!(out.get(start), Some(TokenTree::Ident(id)) if id == "for")
        && matches!(tokens.get(i + 2), Some(TokenTree::Ident(id)) if id == "range")
    {
        return for_range(cx, tokens, i, start, out);
    }
    let names = &out[start..];
    let plain = !names.is_empty()
        && names.iter().all(|t| match t {
            TokenTree::Ident(id) => !NON_OPERAND_KEYWORDS.contains(&id.to_string().as_str()),
            TokenTree::Punct(p) => p.as_char() == ',',
            _ => false,
        });
    if !plain {
        cx.push(syn::Error::new_spanned(
            decl,
            "`:=` is Go's short variable declaration: in Rust write `let name = value;`",
        ));
        out.push(tokens[i + 1].clone());
        return i + 2;
    }
    let names: Vec<TokenTree> = out.drain(start..).collect();
    let first = names[0].span();
    let listed = listed_names(&names);
    let tuple = names.len() > 1;
    let pattern: TokenStream = if tuple {
        group(Delimiter::Parenthesis, names.into_iter().collect(), first).into()
    } else {
        names.into_iter().collect()
    };
    out.extend(quote_spanned!(first=> let #pattern =));
    let end = statement_end(tokens, i + 2);
    if tuple && is_arrow(tokens, i + 2) {
        // Go's `v, ok := <-ch`: the receive is still checked, the names
        // get rustc's error type.
        let value: TokenStream = rewrite_level(cx, &tokens[i + 2..end], true)
            .into_iter()
            .collect();
        let error = error_expr(
            &decl,
            &format!(
                "goru's receive gives an `Option` instead of Go's `{listed} := <-ch`: write `let v = <-ch;` and match `Some(x)` (received) / `None` (closed)"
            ),
        );
        out.extend(quote_spanned!(first=> { let _ = #value; #error }));
        return end;
    }
    let message = if tuple {
        format!("`:=` is Go's short variable declaration: in Rust write `let ({listed}) = ...;`")
    } else {
        format!("`:=` is Go's short variable declaration: in Rust write `let {listed} = ...;`")
    };
    cx.push(syn::Error::new_spanned(decl, message));
    i + 2
}

/// Go's `for names := range x {` (the `:=` at `tokens[i]`, `for` at
/// `out[start]`): reported, then read as `for names in &x {` (with
/// `.enumerate()` for two names).
fn for_range(
    cx: &mut Cx,
    tokens: &[TokenTree],
    i: usize,
    start: usize,
    out: &mut Vec<TokenTree>,
) -> usize {
    let decl: TokenStream = tokens[i..i + 3].iter().cloned().collect();
    let names: Vec<TokenTree> = out.drain(start + 1..).collect();
    let listed = listed_names(&names);
    let at = decl
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span());
    // The ranged expression: up to the loop's block.
    let body = (i + 3..tokens.len())
        .find(|&k| matches!(&tokens[k], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
        .unwrap_or(tokens.len());
    let ranged: TokenStream = rewrite_level(cx, &tokens[i + 3..body], true)
        .into_iter()
        .collect();
    let ranged = group(Delimiter::Parenthesis, ranged, at);
    let two = names
        .iter()
        .any(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','));
    let message = if two {
        format!(
            "Go's `for {listed} := range x` is `for ({listed}) in x.iter().enumerate()` in Rust"
        )
    } else {
        format!(
            "Go's `for {listed} := range x` is `for {listed} in &x` in Rust (on a channel it receives until the channel is closed)"
        )
    };
    cx.push(syn::Error::new_spanned(decl, message));
    let names: TokenStream = names.into_iter().collect();
    if two {
        let names = group(Delimiter::Parenthesis, names, at);
        out.extend(quote_spanned!(at=>
            #names in ::core::iter::Iterator::enumerate(::core::iter::IntoIterator::into_iter(&#ranged))
        ));
    } else {
        out.extend(quote_spanned!(at=> #names in &#ranged));
    }
    body
}

/// The two tokens of the arrow at `tokens[i]`, for errors spanning both.
fn arrow_tokens(tokens: &[TokenTree], i: usize) -> TokenStream {
    tokens[i..i + 2].iter().cloned().collect()
}

/// The span of the first token of `tokens` (`default` if there is none).
pub(crate) fn first_span(tokens: &TokenStream, default: Span) -> Span {
    tokens
        .clone()
        .into_iter()
        .next()
        .map_or(default, |t| t.span())
}

/// The span of the last token of `tokens` (`default` if there is none).
pub(crate) fn last_span(tokens: &TokenStream, default: Span) -> Span {
    tokens
        .clone()
        .into_iter()
        .last()
        .map_or(default, |t| t.span())
}

/// A group spanned at `span`.
pub(crate) fn group(delimiter: Delimiter, stream: TokenStream, span: Span) -> TokenTree {
    let mut g = Group::new(delimiter, stream);
    g.set_span(span);
    TokenTree::Group(g)
}

/// A `compile_error!` in expression position, spanned over `at`: the
/// expression then has rustc's error type, which raises no further errors.
pub(crate) fn error_expr(at: &TokenStream, message: &str) -> TokenStream {
    syn::Error::new_spanned(at, message).into_compile_error()
}

fn missing_value(arrow: &TokenStream) -> TokenStream {
    error_expr(arrow, "`<-` needs a value to send: `ch <- value`")
}

fn missing_channel(arrow: &TokenStream) -> TokenStream {
    error_expr(
        arrow,
        "`<-` needs a channel after it: `<-ch` receives from the channel `ch`",
    )
}

/// Where the send target (a postfix expression) starts in `out`.
fn send_target_start(out: &[TokenTree]) -> usize {
    let mut j = out.len();
    while j > 0 {
        let ok = match &out[j - 1] {
            TokenTree::Ident(id) => !NON_OPERAND_KEYWORDS.contains(&id.to_string().as_str()),
            TokenTree::Literal(_) => true,
            TokenTree::Group(g) => g.delimiter() != Delimiter::Brace,
            TokenTree::Punct(p) => matches!(p.as_char(), '.' | ':' | '?'),
        };
        if !ok {
            break;
        }
        j -= 1;
    }
    j
}

/// The end of a send's value: the next `;`, `,` or `=>` at this level.
fn statement_end(tokens: &[TokenTree], from: usize) -> usize {
    let mut k = from;
    while k < tokens.len() {
        if let TokenTree::Punct(p) = &tokens[k] {
            match p.as_char() {
                ';' | ',' => return k,
                '=' if p.spacing() == Spacing::Joint
                    && matches!(tokens.get(k + 1), Some(TokenTree::Punct(q)) if q.as_char() == '>') =>
                {
                    return k;
                }
                _ => {}
            }
        }
        k += 1;
    }
    k
}

/// A receive's operand, Go's unary expression, starting at `from`; returns
/// its rewritten tokens and the index after it.
fn receive_operand(cx: &mut Cx, tokens: &[TokenTree], from: usize) -> (TokenStream, usize) {
    let mut k = from;
    // Prefix operators, including a nested receive (`<-<-chans`).
    if is_arrow(tokens, k) {
        let arrow = arrow_tokens(tokens, k);
        let (inner, next) = receive_operand(cx, tokens, k + 2);
        return (recv_call(cx, &arrow, inner), next);
    }
    let mut out: Vec<TokenTree> = Vec::new();
    while let Some(TokenTree::Punct(p)) = tokens.get(k) {
        if matches!(p.as_char(), '&' | '*' | '!') {
            out.push(tokens[k].clone());
            k += 1;
            if let Some(TokenTree::Ident(id)) = tokens.get(k)
                && id == "mut"
            {
                out.push(tokens[k].clone());
                k += 1;
            }
        } else {
            break;
        }
    }
    let prefix_len = out.len();
    // Primary: a path (with `::` and turbofish), literal or group; a macro
    // call `name!(..)` too.
    match tokens.get(k) {
        Some(TokenTree::Ident(id)) if !NON_OPERAND_KEYWORDS.contains(&id.to_string().as_str()) => {
            k = path_end(tokens, k, &mut out);
            if let (Some(TokenTree::Punct(bang)), Some(TokenTree::Group(_))) =
                (tokens.get(k), tokens.get(k + 1))
                && bang.as_char() == '!'
            {
                out.push(tokens[k].clone());
                out.push(tokens[k + 1].clone());
                k += 2;
            }
        }
        Some(TokenTree::Literal(_)) | Some(TokenTree::Group(_)) => {
            out.push(tokens[k].clone());
            k += 1;
        }
        _ => {
            if out.len() == prefix_len {
                return (TokenStream::new(), k);
            }
        }
    }
    // Postfix: `.field`, `.method(..)`, `.0`, `(..)`, `[..]`, `?`.
    loop {
        match tokens.get(k) {
            Some(TokenTree::Punct(p)) if p.as_char() == '.' && p.spacing() == Spacing::Alone => {
                match tokens.get(k + 1) {
                    Some(TokenTree::Ident(_)) => {
                        out.push(tokens[k].clone());
                        k = path_end(tokens, k + 1, &mut out);
                    }
                    Some(TokenTree::Literal(_)) => {
                        out.push(tokens[k].clone());
                        out.push(tokens[k + 1].clone());
                        k += 2;
                    }
                    _ => break,
                }
            }
            Some(TokenTree::Group(g)) if g.delimiter() != Delimiter::Brace => {
                out.push(tokens[k].clone());
                k += 1;
            }
            Some(TokenTree::Punct(p)) if p.as_char() == '?' => {
                out.push(tokens[k].clone());
                k += 1;
            }
            _ => break,
        }
    }
    (out.into_iter().collect(), k)
}

/// Consumes `a::b::<T>::c` from `k` (an identifier) into `out`.
fn path_end(tokens: &[TokenTree], mut k: usize, out: &mut Vec<TokenTree>) -> usize {
    out.push(tokens[k].clone());
    k += 1;
    loop {
        let is_colons = matches!((tokens.get(k), tokens.get(k + 1)),
            (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':');
        if !is_colons {
            return k;
        }
        out.push(tokens[k].clone());
        out.push(tokens[k + 1].clone());
        k += 2;
        match tokens.get(k) {
            Some(TokenTree::Ident(_)) => {
                out.push(tokens[k].clone());
                k += 1;
            }
            Some(TokenTree::Punct(p)) if p.as_char() == '<' => {
                // Turbofish: copy through the matching `>`.
                let mut depth = 0usize;
                while let Some(t) = tokens.get(k) {
                    out.push(t.clone());
                    k += 1;
                    if let TokenTree::Punct(p) = t {
                        match p.as_char() {
                            '<' => depth += 1,
                            '>' => {
                                depth = depth.saturating_sub(1);
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => return k,
        }
    }
}

/// `<-operand`: `(recv)(&(operand))`, the call spanned from the arrow to
/// the operand's end, so errors point at the user's `<-ch`.
fn recv_call(cx: &Cx, arrow: &TokenStream, operand: TokenStream) -> TokenStream {
    let at = first_span(arrow, Span::call_site());
    if operand.is_empty() {
        return missing_channel(arrow);
    }
    let end = last_span(&operand, at);
    let func = cx.runtime_fn("recv", at, end);
    let amp = quote_spanned!(at=> &);
    let arg = group(Delimiter::Parenthesis, operand, end);
    let args = group(Delimiter::Parenthesis, quote!(#amp #arg), end);
    quote!(#func #args)
}

/// `target <- value`: `(send)(&(target), value)`, spanned from the
/// target's start to the value's end.
fn send_call(cx: &Cx, arrow: &TokenStream, target: TokenStream, value: TokenStream) -> TokenStream {
    let at = first_span(arrow, Span::call_site());
    let start = first_span(&target, at);
    let target_end = last_span(&target, at);
    let end = last_span(&value, at);
    let func = cx.runtime_fn("send", start, end);
    let amp = quote_spanned!(start=> &);
    let target = group(Delimiter::Parenthesis, target, target_end);
    let args = group(Delimiter::Parenthesis, quote!(#amp #target, #value), end);
    quote!(#func #args)
}

/// The names before a Go `:=`, as the user wrote them (`v, ok`), for an
/// error message.
fn listed_names(names: &[TokenTree]) -> String {
    names
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",")
}
