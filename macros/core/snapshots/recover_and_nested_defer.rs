fn parse(s: &str) -> Result<i32, String> {
    let __goru_frame = ::goru::__private::DeferFrame::new();
    __goru_frame
        .run(
            || {
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                let __goru_defer = __goru_frame
                    .guard(|| {
                        let _ = {
                            if let Some(r) = recover() {
                                return ::core::option::Option::Some(
                                    Err(format!("recovered: {r}")),
                                );
                            }
                        };
                        ::core::option::Option::None
                    });
                for i in 0..2 {
                    {
                        #[allow(unreachable_code, clippy::diverging_sub_expression)]
                        __goru_frame
                            .later(move || {
                                let _ = { println!("deferred {}", i) };
                                ::core::option::Option::None
                            });
                    };
                }
                Ok(s.parse::<i32>().unwrap())
            },
            {
                #[allow(unused_imports)]
                use ::goru::__private::{HasZeroValue as _, NoZeroValue as _};
                (&&::goru::__private::ZeroValue::<Result<i32, String>>::new())
                    .zero_value()
            },
        )
}
