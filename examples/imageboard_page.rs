//! Loading a page of an imageboard: the thread's posts, the signed-in user
//! and the latest replies come from three different services, so they are
//! loaded at once and the page is assembled when all three have arrived.
//! Each loader sends on its own 1-slot channel, so no loader ever waits for
//! the page, and the page reads them in the order it needs.
//!
//! Coming from JavaScript: this is `Promise.all`:
//!
//! ```js
//! const [posts, user, replies] = await Promise.all([
//!   loadPosts(threadId), loadUser(session), loadReplies(threadId),
//! ]);
//! ```
//!
//! ```go
//! func loadPage(threadID int, session string) Page {
//!     posts := make(chan []Post, 1)
//!     user := make(chan User, 1)
//!     replies := make(chan []Reply, 1)
//!     go func() { posts <- loadPosts(threadID) }()
//!     go func() { user <- loadUser(session) }()
//!     go func() { replies <- loadReplies(threadID) }()
//!     return Page{Posts: <-posts, User: <-user, Replies: <-replies}
//! }
//! ```

use goru::prelude::*;

#[derive(Debug)]
struct Post {
    id: u32,
    text: String,
}

#[derive(Debug)]
struct User {
    name: String,
}

#[derive(Debug)]
struct Reply {
    to: u32,
    text: String,
}

struct Page {
    posts: Vec<Post>,
    user: User,
    replies: Vec<Reply>,
}

goru! {
    // ANCHOR: loaders
    fn load_posts(thread: u32, out: Sender<Vec<Post>>) {
        time::sleep(ms(5));                         // simulated database query
        out <- vec![
            Post { id: thread * 10 + 1, text: "first!".to_string() },
            Post { id: thread * 10 + 2, text: "nice picture".to_string() },
        ];
    }

    fn load_user(session: String, out: Sender<User>) {
        time::sleep(ms(3));                         // simulated session service
        out <- User { name: format!("anon-{}", session.len()) };
    }

    fn load_replies(thread: u32, out: Sender<Vec<Reply>>) {
        time::sleep(ms(4));                         // simulated reply index
        out <- vec![Reply { to: thread * 10 + 2, text: "agreed".to_string() }];
    }
    // ANCHOR_END: loaders

    // ANCHOR: load_page
    fn load_page(thread: u32, session: &str) -> Page {
        let posts = chan![Vec<Post>; 1];            // one slot each: no loader blocks
        let user = chan![User; 1];
        let replies = chan![Vec<Reply>; 1];
        go!(load_posts(thread, posts.sender()));
        go!(load_user(session.to_string(), user.sender()));
        go!(load_replies(thread, replies.sender()));
        Page {                                      // await all three
            posts: (<-posts).unwrap(),
            user: (<-user).unwrap(),
            replies: (<-replies).unwrap(),
        }
    }
    // ANCHOR_END: load_page

    #[goru::main]
    fn main() {
        let page = load_page(7, "s3cr3t");
        println!("thread 7, viewed by {}", page.user.name);
        for post in &page.posts {
            println!("  #{} {}", post.id, post.text);
            for reply in page.replies.iter().filter(|r| r.to == post.id) {
                println!("    > {}", reply.text);
            }
        }
    }
}
