//! The expansion context: the path generated code uses to reach the
//! runtime, and the errors collected so far (reported together, serde's
//! way, so one pass shows every mistake).

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};

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
                (Cx::new(g.stream()), tokens.collect())
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

    pub(crate) fn krate(&self) -> &TokenStream {
        &self.krate
    }

    pub(crate) fn error(&mut self, span: Span, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    pub(crate) fn push(&mut self, e: syn::Error) {
        self.errors.push(e);
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

/// A name for a generated local: invisible to the user's code.
pub(crate) fn hidden(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}
