//! Go's function scope for `defer!` and `recover()`: a syn pass over code
//! whose `<-` is already rewritten. Every function and closure body is a
//! scope; a body with `defer!` runs inside a defer frame (the runtime's
//! `DeferFrame::run`). `select!` is expanded here too, so a `defer!` in an
//! arm body belongs to the enclosing function.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, ExprMacro, ReturnType, Stmt, parse_quote};

use crate::call::{self, Operand};
use crate::cx::{Cx, hidden};
use crate::defer::{self, Placement};
use crate::entry;
use crate::select;

/// What a function returns after `recover()`: its type's `Default`, when
/// the type can be named here.
#[derive(Clone)]
pub(crate) enum Zero {
    Of(TokenStream),
    Unknown,
}

impl Zero {
    pub(crate) fn of_return(output: &ReturnType) -> Zero {
        match output {
            ReturnType::Default => Zero::Of(quote!(())),
            ReturnType::Type(_, ty) if !mentions_impl(ty) => Zero::Of(ty.to_token_stream()),
            ReturnType::Type(..) => Zero::Unknown,
        }
    }
}

fn mentions_impl(ty: &syn::Type) -> bool {
    ty.to_token_stream()
        .into_iter()
        .any(|t| matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "impl"))
}

#[derive(Default)]
struct ScopeState {
    has_defer: bool,
    /// The first `defer!`, for errors about the function's defers.
    first_defer: Option<Span>,
    recovers: Vec<Span>,
}

pub(crate) struct Scopes<'a> {
    pub(crate) cx: &'a mut Cx,
    stack: Vec<ScopeState>,
    /// Inside deferred code: `recover()` is allowed, `defer!` is a plain
    /// scope guard.
    in_defer: usize,
}

pub(crate) fn is_ours(path: &syn::Path, name: &str) -> bool {
    let segs: Vec<&syn::PathSegment> = path.segments.iter().collect();
    match segs.as_slice() {
        [s] => s.ident == name,
        [g, s] => g.ident == "goru" && s.ident == name,
        _ => false,
    }
}

impl<'a> Scopes<'a> {
    pub(crate) fn new(cx: &'a mut Cx) -> Self {
        Scopes {
            cx,
            stack: Vec::new(),
            in_defer: 0,
        }
    }

    /// Processes a function (or closure) body as one Go function scope.
    pub(crate) fn function(&mut self, block: &mut Block, zero: Zero, is_async: bool) {
        self.stack.push(ScopeState::default());
        let saved_defer = std::mem::replace(&mut self.in_defer, 0);
        let mut stmts = Vec::with_capacity(block.stmts.len());
        for mut stmt in std::mem::take(&mut block.stmts) {
            match defer_macro(&stmt) {
                Some(mac) => {
                    self.defer_seen(mac);
                    let tokens = self.deferred(mac, Placement::Guard);
                    match syn::parse::Parser::parse2(Block::parse_within, tokens) {
                        Ok(parsed) => stmts.extend(parsed),
                        Err(e) => self.cx.push(e),
                    }
                }
                None => {
                    self.visit_stmt_mut(&mut stmt);
                    stmts.push(stmt);
                }
            }
        }
        self.in_defer = saved_defer;
        let state = self.stack.pop().unwrap_or_default();
        if !state.has_defer {
            block.stmts = stmts;
            return;
        }
        for span in state.recovers {
            self.cx.error(
                span,
                "recover() outside a deferred call always returns None: call it inside `defer! { ... }` to stop a panic",
            );
        }
        if is_async {
            self.cx.error(
                state
                    .first_defer
                    .unwrap_or_else(|| block.brace_token.span.open()),
                "defer! is not supported in an async fn: goru's goroutines block instead of awaiting",
            );
            block.stmts = stmts;
            return;
        }
        let private = self.cx.private();
        let frame = hidden("__goru_frame");
        let zero = match zero {
            Zero::Of(ty) => quote!({
                #[allow(unused_imports)]
                use #private::{HasZeroValue as _, NoZeroValue as _};
                (&&#private::ZeroValue::<#ty>::new()).zero_value()
            }),
            Zero::Unknown => quote!(|| ::core::option::Option::None),
        };
        let inner = Block {
            brace_token: block.brace_token,
            stmts,
        };
        let framed = quote!({
            let #frame = #private::DeferFrame::new();
            #frame.run(|| #inner, #zero)
        });
        match syn::parse2(framed) {
            Ok(framed) => *block = framed,
            // Only some return type that reads differently as a generic
            // argument could get here; keep the function as it was.
            Err(e) => {
                self.cx.error(
                    state.first_defer.unwrap_or_else(Span::call_site),
                    format!("goru: internal error applying defer! here ({e}); please report it"),
                );
                block.stmts = inner.stmts;
            }
        }
    }

    /// Notes a `defer!` of the current function.
    fn defer_seen(&mut self, mac: &syn::Macro) {
        let span = mac
            .path
            .segments
            .last()
            .map_or_else(Span::call_site, |s| s.ident.span());
        let top = self.top();
        top.has_defer = true;
        top.first_defer.get_or_insert(span);
    }

    fn top(&mut self) -> &mut ScopeState {
        self.stack.last_mut().expect("inside a function scope")
    }

    /// Expands one `defer!` of the current function.
    fn deferred(&mut self, mac: &syn::Macro, placement: Placement) -> TokenStream {
        let span = mac
            .path
            .segments
            .last()
            .map_or_else(Span::call_site, |s| s.ident.span());
        let Some(operand) = call::parse(self.cx, mac.tokens.clone(), "defer", span) else {
            // Reported; the user's code stays, unrun, so what it uses
            // counts as used.
            let tokens = &mac.tokens;
            return quote!({ let _ = || { #tokens }; });
        };
        self.in_defer += 1;
        let operand = match operand {
            Operand::Call(mut expr) => {
                self.visit_expr_mut(&mut expr);
                Operand::Call(expr)
            }
            Operand::Block(tokens) => {
                match syn::parse::Parser::parse2(Block::parse_within, tokens.clone()) {
                    Ok(stmts) => {
                        let mut block = Block {
                            brace_token: Default::default(),
                            stmts,
                        };
                        self.visit_block_mut(&mut block);
                        ReturnsSetResult.visit_block_mut(&mut block);
                        let stmts = &block.stmts;
                        Operand::Block(quote!(#(#stmts)*))
                    }
                    Err(_) => Operand::Block(tokens),
                }
            }
        };
        self.in_defer -= 1;
        let prepared = defer::prepare(operand, matches!(placement, Placement::Later));
        defer::in_frame(self.cx, prepared, placement)
    }

    /// Expands a `select!`, `go!` or `chan!` in place, so they work in a
    /// `goru! {}` block without being imported, and a `defer!` in a select
    /// arm belongs to the enclosing function. Returns the expansion and
    /// whether it still needs this pass (a `go!` block was done already).
    fn expand_ours(&mut self, mac: &syn::Macro) -> Option<(Expr, bool)> {
        let span = mac
            .path
            .segments
            .last()
            .map_or_else(Span::call_site, |s| s.ident.span());
        let (tokens, visit) = if is_ours(&mac.path, "select") {
            let arms = select::parse(self.cx, mac.tokens.clone());
            (select::expand(self.cx, arms, span), true)
        } else if is_ours(&mac.path, "go") {
            (crate::go::expand(self.cx, mac.tokens.clone(), span), false)
        } else if is_ours(&mac.path, "chan") {
            (crate::chan::expand(self.cx, mac.tokens.clone(), span), true)
        } else {
            return None;
        };
        syn::parse2::<Expr>(tokens).ok().map(|e| (e, visit))
    }
}

/// `defer!(..)` as a statement.
fn defer_macro(stmt: &Stmt) -> Option<&syn::Macro> {
    match stmt {
        Stmt::Macro(m) if is_ours(&m.mac.path, "defer") => Some(&m.mac),
        Stmt::Expr(Expr::Macro(ExprMacro { mac, .. }), _) if is_ours(&mac.path, "defer") => {
            Some(mac)
        }
        _ => None,
    }
}

impl VisitMut for Scopes<'_> {
    fn visit_item_fn_mut(&mut self, f: &mut syn::ItemFn) {
        let entry = entry::take_attr(self.cx, &mut f.attrs);
        let zero = Zero::of_return(&f.sig.output);
        for attr in &mut f.attrs {
            self.visit_attribute_mut(attr);
        }
        self.function(&mut f.block, zero, f.sig.asyncness.is_some());
        if let Some(kind) = entry {
            entry::apply(self.cx, kind, f);
        }
    }

    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        let zero = Zero::of_return(&f.sig.output);
        self.function(&mut f.block, zero, f.sig.asyncness.is_some());
    }

    fn visit_trait_item_fn_mut(&mut self, f: &mut syn::TraitItemFn) {
        let zero = Zero::of_return(&f.sig.output);
        if let Some(block) = &mut f.default {
            self.function(block, zero, f.sig.asyncness.is_some());
        }
    }

    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        let zero = match &c.output {
            ReturnType::Default => Zero::Unknown,
            out => Zero::of_return(out),
        };
        let is_async = c.asyncness.is_some();
        let saved = std::mem::replace(&mut self.in_defer, 0);
        match &mut *c.body {
            Expr::Block(b) if b.label.is_none() => self.function(&mut b.block, zero, is_async),
            body => {
                // Built, not re-parsed: printed in a block, some bodies
                // syn accepts read differently (`|| let x = ()`).
                let mut block = Block {
                    brace_token: Default::default(),
                    stmts: vec![Stmt::Expr(body.clone(), None)],
                };
                self.function(&mut block, zero, is_async);
                *body = match <[Stmt; 1]>::try_from(block.stmts) {
                    // No defer: the body as it was, rewritten inside.
                    Ok([Stmt::Expr(e, None)]) => e,
                    Ok(stmts) => block_expr(Vec::from(stmts)),
                    Err(stmts) => block_expr(stmts),
                };
            }
        }
        self.in_defer = saved;
    }

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        if let Stmt::Macro(m) = stmt {
            let mac = m.mac.clone();
            let semi = m.semi_token;
            if self.in_defer == 0 && !self.stack.is_empty() && is_ours(&mac.path, "defer") {
                self.defer_seen(&mac);
                let tokens = self.deferred(&mac, Placement::Later);
                if let Ok(e) = syn::parse2::<Expr>(tokens) {
                    *stmt = Stmt::Expr(e, Some(semi.unwrap_or_default()));
                }
                return;
            }
            if let Some((mut e, visit)) = self.expand_ours(&mac) {
                if visit {
                    self.visit_expr_mut(&mut e);
                }
                // A block, so it stands as a statement without `;` and
                // still gives its value at the end of a block.
                *stmt = Stmt::Expr(block_expr(vec![Stmt::Expr(e, None)]), semi);
                return;
            }
        }
        visit_mut::visit_stmt_mut(self, stmt);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Macro(m) = e {
            let mac = m.mac.clone();
            if self.in_defer == 0 && !self.stack.is_empty() && is_ours(&mac.path, "defer") {
                self.defer_seen(&mac);
                let tokens = self.deferred(&mac, Placement::Later);
                if let Ok(parsed) = syn::parse2::<Expr>(tokens) {
                    *e = parsed;
                }
                return;
            }
            if let Some((parsed, visit)) = self.expand_ours(&mac) {
                *e = parsed;
                if visit {
                    self.visit_expr_mut(e);
                }
                return;
            }
        }
        if let Expr::Call(call) = e
            && call.args.is_empty()
            && let Expr::Path(p) = &*call.func
            && is_ours(&p.path, "recover")
            && self.in_defer == 0
            && let Some(top) = self.stack.last_mut()
        {
            top.recovers.push(
                p.path
                    .segments
                    .last()
                    .map_or_else(Span::call_site, |s| s.ident.span()),
            );
        }
        visit_mut::visit_expr_mut(self, e);
    }
}

/// In a deferred block, `return value` gives the function's result (Go's
/// deferred closure assigning a named result), `return;` just ends it.
struct ReturnsSetResult;

impl VisitMut for ReturnsSetResult {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Closure(_) | Expr::Async(_) => {}
            Expr::Return(r) => {
                if let Some(v) = &mut r.expr {
                    self.visit_expr_mut(v);
                    // Built around the user's expression, not re-parsed.
                    let mut some: syn::ExprCall = parse_quote!(::core::option::Option::Some(()));
                    some.args[0] = (**v).clone();
                    **v = Expr::Call(some);
                } else {
                    r.expr = Some(Box::new(parse_quote!(::core::option::Option::None)));
                }
            }
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// `{ stmts }` as an expression.
fn block_expr(stmts: Vec<Stmt>) -> Expr {
    Expr::Block(syn::ExprBlock {
        attrs: Vec::new(),
        label: None,
        block: Block {
            brace_token: Default::default(),
            stmts,
        },
    })
}

/// A `go!` block or other closure body given as tokens: one Go function
/// scope returning `ret`.
pub(crate) fn closure_body(cx: &mut Cx, tokens: TokenStream, ret: TokenStream) -> TokenStream {
    match syn::parse::Parser::parse2(Block::parse_within, tokens.clone()) {
        Ok(stmts) => {
            let mut block = Block {
                brace_token: Default::default(),
                stmts,
            };
            Scopes::new(cx).function(&mut block, Zero::Of(ret), false);
            block.to_token_stream()
        }
        // Leave the syntax error to rustc, on the user's tokens.
        Err(_) => quote!({ #tokens }),
    }
}
