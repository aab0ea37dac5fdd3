fn main() -> ::std::process::ExitCode {
    <::goru::__private::Lang>::run_main(move || -> () {
        let __goru_frame = ::goru::__private::DeferFrame::new();
        __goru_frame
            .run(
                || {
                    #[allow(unreachable_code, clippy::diverging_sub_expression)]
                    let __goru_defer = __goru_frame
                        .guard(|| {
                            let _ = { println!("bye") };
                            ::core::option::Option::None
                        });
                    println!("hi");
                },
                {
                    #[allow(unused_imports)]
                    use ::goru::__private::{HasZeroValue as _, NoZeroValue as _};
                    (&&::goru::__private::ZeroValue::<()>::new()).zero_value()
                },
            )
    })
}
