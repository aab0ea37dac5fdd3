fn worker(jobs: Receiver<i32>, results: Sender<i32>, done: Sender<()>) {
    let __goru_frame = ::goru::__private::DeferFrame::new();
    __goru_frame
        .run(
            || {
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                let __goru_defer = __goru_frame
                    .guard(|| {
                        let _ = done.close();
                        ::core::option::Option::None
                    });
                for j in &jobs {
                    <::goru::__private::Lang>::send(&(results), j * 2);
                }
                println!("{:?}", < ::goru::__private::Lang > ::recv(& (jobs)));
            },
            {
                #[allow(unused_imports)]
                use ::goru::__private::{HasZeroValue as _, NoZeroValue as _};
                (&&::goru::__private::ZeroValue::<()>::new()).zero_value()
            },
        )
}
