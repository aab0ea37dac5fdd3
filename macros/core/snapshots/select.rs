fn expansion() {
    {
        let __goru_chan0 = &(rx);
        let mut __goru_case0 = ::goru::__private::Lang::recv_case(__goru_chan0);
        let __goru_chan1 = &(tx);
        let mut __goru_case1 = ::goru::__private::Lang::send_case(__goru_chan1, 1);
        let __goru_chan2 = &(time::after(ms(10)));
        let mut __goru_case2 = ::goru::__private::Lang::recv_case(__goru_chan2);
        match <::goru::__private::Lang>::select(
            &mut [__goru_case0.case(), __goru_case1.case(), __goru_case2.case()],
            true,
        ) {
            #[allow(unused_braces)]
            ::core::option::Option::Some(0usize) => {
                let v = __goru_case0.take();
                {
                    println!("{v:?}");
                }
            }
            ::core::option::Option::Some(1usize) => {}
            #[allow(unused_braces)]
            ::core::option::Option::Some(2usize) => {
                let _ = __goru_case2.take();
                { return }
            }
            ::core::option::Option::None => {
                break;
            }
            #[allow(unreachable_patterns)]
            _ => ::core::unreachable!("select returned an index it was not given"),
        }
    }
}
