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
            cx.push(syn::Error::new_spanned(
                &a.meta,
                format!(
                    "#[goru::{}] inside goru! {{ }} takes no arguments",
                    kind.name()
                ),
            ));
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
        // Still checked as async code, but no longer an `async fn`
        // (rustc would reject an async `main` a second time).
        let mut wrapper: syn::Block = parse_quote!({
            let _ = async move {};
        });
        if let Some(syn::Stmt::Local(local)) = wrapper.stmts.first_mut()
            && let Some(init) = &mut local.init
            && let syn::Expr::Async(block) = &mut *init.expr
        {
            block.block = (*f.block).clone();
        }
        *f.block = wrapper;
        f.sig.asyncness = None;
        f.sig.output = ReturnType::Default;
        return;
    }
    if let Some(arg) = f.sig.inputs.first() {
        cx.error(
            arg.span(),
            match kind {
                Kind::Main => "#[goru::main] takes no parameters, like Go's `func main()`: read the command line with `std::env::args()`",
                Kind::Test => "#[goru::test] functions take no parameters",
            },
        );
        // The parameters become locals the body can still use, so it has
        // no further errors (nor does rustc check `main`'s signature). The
        // code never runs: the error above stops the build.
        let param = crate::cx::hidden("__goru_param");
        let mut stmts: Vec<syn::Stmt> =
            vec![parse_quote!(fn #param<T>() -> T { ::core::unreachable!() })];
        stmts.extend(f.sig.inputs.iter().filter_map(|arg| match arg {
            syn::FnArg::Typed(p) => {
                // `let pat: ty = param();`, with the user's pattern and type
                // put in place rather than re-parsed in another position.
                let mut stmt: syn::Stmt = parse_quote!(let _: () = #param(););
                if let syn::Stmt::Local(local) = &mut stmt
                    && let syn::Pat::Type(typed) = &mut local.pat
                {
                    typed.pat = p.pat.clone();
                    typed.ty = p.ty.clone();
                }
                Some(stmt)
            }
            syn::FnArg::Receiver(_) => None,
        }));
        f.sig.inputs.clear();
        f.block.stmts.splice(0..0, stmts);
        return;
    }
    if !f.sig.generics.params.is_empty() {
        cx.push(syn::Error::new_spanned(
            &f.sig.generics,
            format!("#[goru::{name}] functions cannot be generic"),
        ));
        return;
    }
    // Goroutine 1's "created at" is the function's name.
    let at = f.sig.ident.span();
    // `move || -> ret { body }`, built around the user's return type and
    // body (in a closure's return position some types read differently).
    let mut closure: syn::ExprClosure = parse_quote!(move || -> () {});
    if let ReturnType::Type(_, ty) = &f.sig.output {
        closure.output = ReturnType::Type(Default::default(), ty.clone());
    }
    closure.body = Box::new(syn::Expr::Block(syn::ExprBlock {
        attrs: Vec::new(),
        label: None,
        block: (*f.block).clone(),
    }));
    let run = match kind {
        Kind::Main => cx.runtime_fn("run_main", at, at),
        Kind::Test => cx.runtime_fn("run_test", at, at),
    };
    let Ok(run) = syn::parse2::<syn::Expr>(run) else {
        cx.error(
            at,
            "goru: internal error: cannot name the runtime; please report it",
        );
        return;
    };
    // The call's parentheses at `at`: a call spanned in the user's code
    // from its first token to its last gets the user's caller location.
    let call = syn::Expr::Call(syn::ExprCall {
        attrs: Vec::new(),
        func: Box::new(run),
        paren_token: syn::token::Paren(at),
        args: std::iter::once(syn::Expr::Closure(closure)).collect(),
    });
    *f.block = syn::Block {
        brace_token: Default::default(),
        stmts: vec![syn::Stmt::Expr(call, None)],
    };
    match kind {
        Kind::Main => {
            f.sig.output = parse_quote!(-> ::std::process::ExitCode);
        }
        Kind::Test => {
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
