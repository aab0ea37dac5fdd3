//! A bank account updated by many goroutines at once. A `sync::Mutex` owns
//! the balance: the only way to touch it is through `lock()`, so every
//! deposit and withdrawal is a whole read-modify-write and the final
//! balance is exact. A withdrawal checks the balance and takes the money
//! under the same lock, so the check cannot go stale.
//!
//! ```go
//! type Account struct {
//!     mu      sync.Mutex
//!     balance int
//! }
//!
//! func (a *Account) Deposit(n int) {
//!     a.mu.Lock()
//!     defer a.mu.Unlock()
//!     a.balance += n
//! }
//!
//! func (a *Account) Withdraw(n int) error {
//!     a.mu.Lock()
//!     defer a.mu.Unlock()
//!     if a.balance < n {
//!         return errors.New("insufficient funds")
//!     }
//!     a.balance -= n
//!     return nil
//! }
//! ```

use std::sync::Arc;

use goru::prelude::*;
use goru::sync::Mutex;

// ANCHOR: account
struct Account {
    balance: Mutex<i64>, // the mutex owns the balance
}

impl Account {
    fn deposit(&self, n: i64) {
        *self.balance.lock() += n; // Lock; balance += n; Unlock
    }

    fn withdraw(&self, n: i64) -> Result<(), String> {
        let mut balance = self.balance.lock();
        if *balance < n {
            return Err(format!("insufficient funds: have {}, want {n}", *balance));
        } // unlocked on this return too
        *balance -= n;
        Ok(())
    }

    fn balance(&self) -> i64 {
        *self.balance.lock()
    }
}
// ANCHOR_END: account

goru! {
    // ANCHOR: main
    #[goru::main]
    fn main() {
        let account = Arc::new(Account { balance: Mutex::new(1000) });
        let wg = WaitGroup::new();
        for i in 0..100 {
            let (account, wg) = (account.clone(), wg.clone());
            wg.add(1);
            go! {
                defer!(wg.done());
                if i % 2 == 0 {
                    account.deposit(10);            // 50 deposits of 10
                } else {
                    account.withdraw(4).unwrap();   // 50 withdrawals of 4
                }
                time::sleep(ms(1));
                account.deposit(1);                 // 100 deposits of 1
            };
        }
        wg.wait();
        println!("balance: {}", account.balance()); // 1000 + 500 - 200 + 100
        match account.withdraw(10_000) {
            Ok(()) => println!("withdrew 10000"),
            Err(e) => println!("withdraw 10000: {e}"),
        }
        println!("balance: {}", account.balance());
    }
    // ANCHOR_END: main
}
