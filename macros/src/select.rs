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
    },
    /// `ch <- value`.
    Send {
        chan: TokenStream,
        value: TokenStream,
    },
    Default,
}

pub(crate) struct Arm {
    pub(crate) op: Op,
    pub(crate) span: Span,
    pub(crate) body: TokenStream,
}

/// Parses the arms; malformed arms are reported and skipped.
pub(crate) fn parse(cx: &mut Cx, input: TokenStream) -> Vec<Arm> {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let mut arms = Vec::new();
    let mut default_seen: Option<Span> = None;
    let mut i = 0;
    while i < tokens.len() {
        // Head: up to `=>`.
        let head_start = i;
        while i < tokens.len() && !is_fat_arrow(&tokens, i) {
            i += 1;
        }
        let head = &tokens[head_start..i];
        if i >= tokens.len() {
            let at = head
                .iter()
                .rev()
                .find(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
                .or(head.last())
                .map_or_else(Span::call_site, TokenTree::span);
            cx.error(
                at,
                "expected `=>` between this select! arm's channel operation and its body",
            );
            break;
        }
        let arrow_span = tokens[i].span();
        i += 2;
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
        let Some(op) = parse_head(cx, head, arrow_span) else {
            continue;
        };
        let span = head.first().map_or(arrow_span, TokenTree::span);
        if matches!(op, Op::Default) {
            if let Some(_first) = default_seen {
                cx.error(
                    span,
                    "multiple defaults in select!: only one `default` arm is allowed",
                );
                continue;
            }
            default_seen = Some(span);
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

fn parse_head(cx: &mut Cx, head: &[TokenTree], arrow_span: Span) -> Option<Op> {
    if let [TokenTree::Ident(id)] = head
        && id == "default"
    {
        return Some(Op::Default);
    }
    let Some(at) = (0..head.len()).find(|&k| arrow::is_arrow(head, k)) else {
        if let Some(k) = (0..head.len()).find(|&k| arrow::is_spaced_arrow(head, k)) {
            cx.error(
                head[k].span(),
                "write Go's arrow `<-` without a space: `< -` is a comparison with a negation",
            );
        } else {
            let span = head.first().map_or(arrow_span, TokenTree::span);
            cx.error(
                span,
                "a select! arm must be a channel operation: `v = <-rx`, `<-rx`, `tx <- value` or `default`",
            );
        }
        return None;
    };
    let arrow_tok = head[at].span();
    let before = &head[..at];
    let after: TokenStream = head[at + 2..].iter().cloned().collect();
    let is_assign = matches!(before.last(), Some(TokenTree::Punct(p)) if p.as_char() == '=')
        && !matches!(before.get(before.len().wrapping_sub(2)),
            Some(TokenTree::Punct(p)) if p.spacing() == Spacing::Joint);
    if before.is_empty() || is_assign {
        if after.is_empty() {
            cx.error(arrow_tok, "`<-` needs a channel after it: `<-ch`");
            return None;
        }
        let pattern = if is_assign {
            let pat = &before[..before.len() - 1];
            if pat.is_empty() {
                cx.error(
                    before[0].span(),
                    "expected a name before `= <-`: `v = <-ch`",
                );
                return None;
            }
            if let Some(comma) = pat
                .iter()
                .find(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
            {
                cx.error(
                    comma.span(),
                    "goru's receive gives an `Option` instead of Go's `v, ok`: write `v = <-ch` and match `Some(x)` / `None`",
                );
                return None;
            }
            Some(pat.iter().cloned().collect())
        } else {
            None
        };
        Some(Op::Recv {
            pattern,
            chan: after,
        })
    } else {
        if after.is_empty() {
            cx.error(arrow_tok, "`<-` needs a value to send: `ch <- value`");
            return None;
        }
        Some(Op::Send {
            chan: before.iter().cloned().collect(),
            value: after,
        })
    }
}

/// Expands parsed arms; bodies get their `<-` rewritten.
pub(crate) fn expand(cx: &mut Cx, arms: Vec<Arm>, whole: Span) -> TokenStream {
    let private = cx.private();
    if arms.is_empty() {
        return quote_spanned!(whole=> #private::block_forever());
    }
    let mut setup = TokenStream::new();
    let mut cases = Vec::new();
    let mut match_arms = TokenStream::new();
    let mut default_body = None;
    for arm in arms {
        let body = arrow::rewrite(cx, arm.body);
        let index = cases.len();
        let case = hidden(&format!("__goru_case{index}"));
        let chan_ref = hidden(&format!("__goru_chan{index}"));
        let span = arm.span;
        match arm.op {
            Op::Default => {
                default_body = Some(body);
                continue;
            }
            Op::Recv { pattern, chan } => {
                let chan = arrow::rewrite(cx, chan);
                setup.extend(quote_spanned!(span=>
                    let #chan_ref = &(#chan);
                    let mut #case = #private::recv_case(#chan_ref);
                ));
                let bind = match pattern {
                    Some(p) => quote!(let #p = #case.take();),
                    None => quote!(let _ = #case.take();),
                };
                match_arms.extend(quote!(
                    ::core::option::Option::Some(#index) => { #bind #body }
                ));
            }
            Op::Send { chan, value } => {
                let chan = arrow::rewrite(cx, chan);
                let value = arrow::rewrite(cx, value);
                setup.extend(quote_spanned!(span=>
                    let #chan_ref = &(#chan);
                    let mut #case = #private::send_case(#chan_ref, #value);
                ));
                match_arms.extend(quote!(
                    ::core::option::Option::Some(#index) => #body
                ));
            }
        }
        cases.push(case);
    }
    let has_default = default_body.is_some();
    let default_arm = match default_body {
        Some(body) => quote!(::core::option::Option::None => #body),
        None => TokenStream::new(),
    };
    quote_spanned!(whole=> {
        #setup
        match #private::select(&mut [#(#cases.case()),*], #has_default) {
            #match_arms
            #default_arm
            #[allow(unreachable_patterns)]
            _ => ::core::unreachable!("select returned an index it was not given"),
        }
    })
}
