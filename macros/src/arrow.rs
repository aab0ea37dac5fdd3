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
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let tokens = rewrite_groups(cx, tokens);
    rewrite_level(cx, &tokens).into_iter().collect()
}

fn rewrite_groups(cx: &mut Cx, tokens: Vec<TokenTree>) -> Vec<TokenTree> {
    let mut out = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        match t {
            TokenTree::Group(g) if !is_select_body(&tokens, i) => {
                let inner = rewrite(cx, g.stream());
                let mut ng = Group::new(g.delimiter(), inner);
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            other => out.push(other.clone()),
        }
    }
    out
}

/// `select ! { .. }` (or `goru::select!`): its arms keep their arrows.
fn is_select_body(tokens: &[TokenTree], i: usize) -> bool {
    i >= 2
        && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '!')
        && matches!(&tokens[i - 2], TokenTree::Ident(id) if id == "select")
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
fn rewrite_level(cx: &mut Cx, tokens: &[TokenTree]) -> Vec<TokenTree> {
    let mut out: Vec<TokenTree> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if !is_arrow(tokens, i) {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        }
        let arrow = arrow_span(tokens, i);
        if out.last().is_some_and(ends_operand) {
            // Send: the operand before it is the channel.
            let start = send_target_start(&out);
            let target: TokenStream = out.drain(start..).collect();
            let end = statement_end(tokens, i + 2);
            let value = &tokens[i + 2..end];
            if value.is_empty() {
                cx.error(arrow, "`<-` needs a value to send: `ch <- value`");
            }
            let value: TokenStream = rewrite_level(cx, value).into_iter().collect();
            out.extend(send_call(cx, arrow, target, value));
            i = end;
        } else {
            let (operand, next) = receive_operand(cx, tokens, i + 2);
            if operand.is_empty() {
                cx.error(
                    arrow,
                    "`<-` needs a channel after it: `<-ch` (write `<-` without a space before the channel's name is fine, but something must follow)",
                );
            }
            out.push(recv_call(cx, arrow, operand));
            i = next;
        }
    }
    out
}

fn arrow_span(tokens: &[TokenTree], i: usize) -> Span {
    let first = tokens[i].span();
    first.join(tokens[i + 1].span()).unwrap_or(first)
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
        let arrow = arrow_span(tokens, k);
        let (inner, next) = receive_operand(cx, tokens, k + 2);
        if inner.is_empty() {
            cx.error(arrow, "`<-` needs a channel after it: `<-ch`");
        }
        return (recv_call(cx, arrow, inner).into(), next);
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

fn recv_call(cx: &Cx, arrow: Span, operand: TokenStream) -> TokenTree {
    let private = cx.private();
    let call = quote_spanned!(arrow=> #private::recv(&(#operand)));
    TokenTree::Group(Group::new(Delimiter::Parenthesis, call))
}

fn send_call(cx: &Cx, arrow: Span, target: TokenStream, value: TokenStream) -> TokenStream {
    let private = cx.private();
    let call = quote_spanned!(arrow=> #private::send(&(#target), #value));
    quote!(#call)
}
