//! `goru! { items }`: Go's operators and function-scoped `defer!` /
//! `recover()` in every function inside. Items are what the block is for;
//! statements are accepted too (then `defer!` is block-scoped).

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::VisitMut;

use crate::arrow;
use crate::cx::Cx;
use crate::scope::Scopes;

pub(crate) fn expand(cx: &mut Cx, input: TokenStream) -> TokenStream {
    let rewritten = arrow::rewrite(cx, input);
    if let Ok(mut file) = syn::parse2::<syn::File>(rewritten.clone()) {
        let mut scopes = Scopes::new(cx);
        for item in &mut file.items {
            scopes.visit_item_mut(item);
        }
        return quote!(#file);
    }
    if let Ok(mut stmts) = syn::parse::Parser::parse2(syn::Block::parse_within, rewritten.clone()) {
        let mut scopes = Scopes::new(cx);
        for stmt in &mut stmts {
            scopes.visit_stmt_mut(stmt);
        }
        return quote!(#(#stmts)*);
    }
    // A syntax error: rustc reports it on the user's own tokens.
    rewritten
}
