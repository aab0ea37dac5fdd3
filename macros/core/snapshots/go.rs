fn expansion() {
    {
        #[allow(unused_mut)]
        let mut __goru_arg0 = <::goru::__private::Lang>::goroutine_arg(w);
        #[allow(unused_mut)]
        let mut __goru_arg1 = <::goru::__private::Lang>::goroutine_arg(jobs.receiver());
        <::goru::__private::Lang>::go(move || {
            let _ = worker(__goru_arg0, __goru_arg1);
        });
    };
    <::goru::__private::Lang>::go(move || {
        let __goru_frame = ::goru::__private::DeferFrame::new();
        __goru_frame
            .run(
                || {
                    #[allow(unreachable_code, clippy::diverging_sub_expression)]
                    let __goru_defer = __goru_frame
                        .guard(|| {
                            let _ = wg.close();
                            ::core::option::Option::None
                        });
                    <::goru::__private::Lang>::send(&(out), 1);
                },
                {
                    #[allow(unused_imports)]
                    use ::goru::__private::{HasZeroValue as _, NoZeroValue as _};
                    (&&::goru::__private::ZeroValue::<()>::new()).zero_value()
                },
            )
    });
}
