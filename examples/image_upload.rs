//! An image upload handler that does its three slow steps at once: resize
//! the image, store the original, and record its metadata. A WaitGroup
//! waits for all three; each step writes only its own field of the result,
//! so the report comes out in a fixed order however the steps interleave.
//!
//! Coming from JavaScript: `await Promise.all([resize(img), store(img),
//! record(img)])`.
//!
//! ```go
//! func handleUpload(img Image) UploadResult {
//!     var wg sync.WaitGroup
//!     var mu sync.Mutex
//!     var res UploadResult
//!     wg.Add(3)
//!     go func() { defer wg.Done(); t := resize(img); mu.Lock(); res.Thumb = t; mu.Unlock() }()
//!     go func() { defer wg.Done(); u := store(img); mu.Lock(); res.URL = u; mu.Unlock() }()
//!     go func() { defer wg.Done(); id := record(img); mu.Lock(); res.MetaID = id; mu.Unlock() }()
//!     wg.Wait()
//!     return res
//! }
//! ```

use std::sync::Arc;

use goru::prelude::*;
use goru::sync::Mutex;

#[derive(Clone, Debug)]
struct Image {
    name: String,
    width: u32,
    height: u32,
}

#[derive(Debug, Default)]
struct UploadResult {
    thumbnail: Option<String>,
    url: Option<String>,
    metadata_id: Option<u64>,
}

goru! {
    // ANCHOR: steps
    fn resize(img: &Image) -> String {
        time::sleep(ms(6));                         // simulated image work
        let (w, h) = (img.width / 8, img.height / 8);
        format!("{}_thumb_{w}x{h}.jpg", img.name)
    }

    fn store(img: &Image) -> String {
        time::sleep(ms(4));                         // simulated upload to storage
        format!("https://cdn.example.com/{}.jpg", img.name)
    }

    fn record(img: &Image) -> u64 {
        time::sleep(ms(2));                         // simulated database insert
        1000 + img.name.len() as u64
    }
    // ANCHOR_END: steps

    // ANCHOR: handler
    fn handle_upload(img: Image) -> UploadResult {
        let wg = WaitGroup::new();                  // var wg sync.WaitGroup
        let res = Arc::new(Mutex::new(UploadResult::default()));
        wg.add(3);
        {
            let (wg, res, img) = (wg.clone(), res.clone(), img.clone());
            go! {
                defer!(wg.done());
                let thumb = resize(&img);
                res.lock().thumbnail = Some(thumb);
            };
        }
        {
            let (wg, res, img) = (wg.clone(), res.clone(), img.clone());
            go! {
                defer!(wg.done());
                let url = store(&img);
                res.lock().url = Some(url);
            };
        }
        {
            let (wg, res) = (wg.clone(), res.clone());
            go! {
                defer!(wg.done());
                let id = record(&img);
                res.lock().metadata_id = Some(id);
            };
        }
        wg.wait();                                  // all three are done
        std::mem::take(&mut *res.lock())
    }
    // ANCHOR_END: handler

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let img = Image { name: "sunset".to_string(), width: 4000, height: 3000 };
        let res = handle_upload(img);               // ~6 ms, not 6 + 4 + 2
        println!("thumbnail: {}", res.thumbnail.unwrap());
        println!("stored at: {}", res.url.unwrap());
        println!("metadata:  #{}", res.metadata_id.unwrap());
    }
    // ANCHOR_END: main
}
