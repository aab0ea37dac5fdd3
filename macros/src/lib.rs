//! goru-macros: the Go syntax of goru (`goru! {}`, `go!`, `chan!`, `select!`,
//! `defer!` and `<-`). The macros land with the language issue; today this crate
//! only builds, so that the facade's layout is final.
