//! The expansion context: the path generated code uses to reach the
//! runtime, and the errors collected so far (reported together, serde's
//! way, so one pass shows every mistake).

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};

pub(crate) struct Cx {
    /// `$crate` as passed by the facade's `macro_rules!` wrappers, or
    /// `::goru` for the attribute macros.
    krate: TokenStream,
    errors: Vec<syn::Error>,
}

impl Cx {
    pub(crate) fn new(krate: TokenStream) -> Self {
        Cx {
            krate,
            errors: Vec::new(),
        }
    }

    /// Splits the `[$crate] rest` input of a function-like macro.
    pub(crate) fn from_wrapped(input: TokenStream) -> (Cx, TokenStream) {
        let mut tokens = input.into_iter();
        match tokens.next() {
            Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Bracket => {
                if is_path(&g.stream()) {
                    return (Cx::new(g.stream()), tokens.collect());
                }
                // Only a direct call of a hidden `*_impl!` macro gets here;
                // generated code must still parse, so it names `::goru`.
                let mut cx = Cx::new(quote!(::goru));
                cx.error(
                    g.span(),
                    "goru: expected the goru crate's path in `[...]`; use the macros through the `goru` crate",
                );
                (cx, tokens.collect())
            }
            // Called directly rather than through the facade's wrapper.
            Some(first) => (
                Cx::new(quote!(::goru)),
                std::iter::once(first).chain(tokens).collect(),
            ),
            None => (Cx::new(quote!(::goru)), TokenStream::new()),
        }
    }

    /// `$crate::__private`, spanned at `span` so trait errors point there.
    pub(crate) fn private(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::__private)
    }

    /// `$crate::__private::name`, located at the user's code from `start`
    /// to `end` (keeping `$crate`'s name resolution), so that a call of it
    /// is spanned there rather than over the whole macro call: rustc points
    /// "required by a bound introduced by this call" at the callee.
    ///
    /// The path is `<$crate::__private::Lang>::name`: its leading `<` carries
    /// the user's own span, so the call expression starts in the user's
    /// syntax context and `#[track_caller]` (blocked-at and created-at lines
    /// of goroutine dumps) reports the user's line, not the macro call's.
    pub(crate) fn runtime_fn(&self, name: &str, start: Span, end: Span) -> TokenStream {
        let lang = self.located_path(&["__private", "Lang"], start, start);
        // The associated function's name resolves through the type, so it
        // can carry the user's span outright.
        let name = Ident::new(name, end);
        let mut open = proc_macro2::Punct::new('<', proc_macro2::Spacing::Alone);
        open.set_span(start);
        let mut close = proc_macro2::Punct::new('>', proc_macro2::Spacing::Alone);
        close.set_span(start);
        let colons = quote_spanned!(end=> ::);
        quote!(#open #lang #close #colons #name)
    }

    /// `$crate::__private::Lang::name` in the macro's syntax context (only
    /// located at the user's code): for calls whose arguments are generated
    /// locals, which rustc points at only when they share the call's
    /// context, and which need no caller location.
    pub(crate) fn runtime_fn_macro_context(
        &self,
        name: &str,
        start: Span,
        end: Span,
    ) -> TokenStream {
        self.located_path(&["__private", "Lang", name], start, end)
    }

    /// `$crate::a::b`, located like [`Cx::runtime_fn`]'s paths.
    pub(crate) fn located_path(&self, segments: &[&str], start: Span, end: Span) -> TokenStream {
        let base = self.krate_span();
        let mut out: TokenStream = self
            .krate
            .clone()
            .into_iter()
            .map(|mut t| {
                t.set_span(t.span().located_at(start));
                t
            })
            .collect();
        let at = base.located_at(start);
        for (k, segment) in segments.iter().enumerate() {
            let span = if k + 1 == segments.len() {
                base.located_at(end)
            } else {
                at
            };
            let segment = Ident::new(segment, span);
            out.extend(quote_spanned!(at=> :: #segment));
        }
        out
    }

    /// The span of `$crate`: the facade macro's expansion.
    fn krate_span(&self) -> Span {
        self.krate
            .clone()
            .into_iter()
            .next()
            .map_or_else(Span::call_site, |t| t.span())
    }

    /// A generated local, invisible to the user's code, located at `at`
    /// in the same syntax context as [`Cx::runtime_fn`]'s paths: rustc
    /// keeps an argument's own span only when it shares the call's
    /// context (else it points at the whole macro call).
    pub(crate) fn hidden_at(&self, name: &str, at: Span) -> Ident {
        Ident::new(name, self.krate_span().located_at(at))
    }

    pub(crate) fn krate(&self) -> &TokenStream {
        &self.krate
    }

    pub(crate) fn error(&mut self, span: Span, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    pub(crate) fn push(&mut self, e: syn::Error) {
        self.errors.push(e);
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Every collected error followed by the expansion (for a block whose
    /// value is the expansion).
    pub(crate) fn finish_errors_first(self, expansion: impl ToTokens) -> TokenStream {
        let mut out = TokenStream::new();
        for e in self.errors {
            out.extend(e.into_compile_error());
        }
        expansion.to_tokens(&mut out);
        out
    }

    /// The expansion followed by every collected error.
    pub(crate) fn finish(self, expansion: impl ToTokens) -> TokenStream {
        let mut out = expansion.into_token_stream();
        for e in self.errors {
            out.extend(e.into_compile_error());
        }
        out
    }
}

/// Whether `tokens` is a path made of names (`$crate`, `::goru`,
/// `my::goru`): what the generated `<$crate::__private::Lang>::f` needs.
fn is_path(tokens: &TokenStream) -> bool {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let is_colons = |i: usize| {
        matches!(
            (tokens.get(i), tokens.get(i + 1)),
            (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                if a.as_char() == ':' && a.spacing() == proc_macro2::Spacing::Joint && b.as_char() == ':'
        )
    };
    let mut i = if is_colons(0) { 2 } else { 0 };
    loop {
        if !matches!(tokens.get(i), Some(TokenTree::Ident(_))) {
            return false;
        }
        i += 1;
        if i == tokens.len() {
            return true;
        }
        if !is_colons(i) {
            return false;
        }
        i += 2;
    }
}

/// A name for a generated local: invisible to the user's code.
pub(crate) fn hidden(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}
