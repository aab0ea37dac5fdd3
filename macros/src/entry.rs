//! `#[goru::main]` and `#[goru::test]`: the body runs as goroutine 1 of a
//! runtime (the runtime's `run_main` / `run_test`).

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{ItemFn, ReturnType, parse_quote};

use crate::cx::Cx;
use crate::scope::{Scopes, Zero};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Main,
    Test,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Main => "main",
            Kind::Test => "test",
        }
    }
}

/// Removes a `#[goru::main]` / `#[goru::test]` attribute (inside `goru!`,
/// where this macro handles it with `$crate`), returning which it was.
pub(crate) fn take_attr(cx: &mut Cx, attrs: &mut Vec<syn::Attribute>) -> Option<Kind> {
    let mut found = None;
    attrs.retain(|a| {
        let segs: Vec<String> = a
            .path()
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let kind = match segs
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["goru", "main"] => Kind::Main,
            ["goru", "test"] => Kind::Test,
            _ => return true,
        };
        if !matches!(a.meta, syn::Meta::Path(_)) {
            cx.error(
                a.meta.span(),
                format!(
                    "#[goru::{}] inside goru! {{ }} takes no arguments",
                    kind.name()
                ),
            );
        }
        found = Some(kind);
        false
    });
    found
}

/// Checks the function and rewrites it to run as goroutine 1.
pub(crate) fn apply(cx: &mut Cx, kind: Kind, f: &mut ItemFn) {
    let name = kind.name();
    if let Some(a) = &f.sig.asyncness {
        cx.error(
            a.span(),
            format!(
                "#[goru::{name}] runs the function as a goroutine, which blocks instead of awaiting: remove `async`"
            ),
        );
        return;
    }
    if let Some(arg) = f.sig.inputs.first() {
        cx.error(
            arg.span(),
            format!("#[goru::{name}] functions take no parameters"),
        );
        return;
    }
    if !f.sig.generics.params.is_empty() {
        cx.error(
            f.sig.generics.span(),
            format!("#[goru::{name}] functions cannot be generic"),
        );
        return;
    }
    let ret = match &f.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => ty.to_token_stream(),
    };
    let private = cx.private();
    let body = &f.block;
    match kind {
        Kind::Main => {
            f.block = parse_quote!({
                #private::run_main(move || -> #ret #body)
            });
            f.sig.output = parse_quote!(-> ::std::process::ExitCode);
        }
        Kind::Test => {
            f.block = parse_quote!({
                #private::run_test(move || -> #ret #body)
            });
            f.sig.output = ReturnType::Default;
            f.attrs.retain(|a| !a.path().is_ident("test"));
            f.attrs
                .insert(0, parse_quote!(#[::core::prelude::v1::test]));
        }
    }
}

/// The attribute macros, outside `goru! {}`: `args` may name the crate
/// (`#[goru::main(crate = "my_goru")]`).
pub(crate) fn expand_attribute(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut krate: TokenStream = quote!(::goru);
    let mut arg_error = None;
    if !args.is_empty() {
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("crate") {
                let path: syn::LitStr = meta.value()?.parse()?;
                krate = path.parse::<syn::Path>()?.to_token_stream();
                Ok(())
            } else {
                Err(meta.error(format!(
                    "#[goru::{}] accepts only `crate = \"path\"`",
                    kind.name()
                )))
            }
        });
        if let Err(e) = syn::parse::Parser::parse2(parser, args) {
            arg_error = Some(e);
        }
    }
    let mut cx = Cx::new(krate);
    if let Some(e) = arg_error {
        cx.push(e);
    }
    let mut f = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            cx.push(syn::Error::new(
                e.span(),
                format!("#[goru::{}] goes on a function", kind.name()),
            ));
            return cx.finish(item);
        }
    };
    let zero = Zero::of_return(&f.sig.output);
    let is_async = f.sig.asyncness.is_some();
    {
        let mut scopes = Scopes::new(&mut cx);
        scopes.function(&mut f.block, zero, is_async);
    }
    apply(&mut cx, kind, &mut f);
    cx.finish(f)
}
