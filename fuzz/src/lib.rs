//! Shared code of goru's fuzz targets (`fuzz_targets/`): the macro
//! target's input format and token byte code, the runtime target's channel
//! script, and the seed corpus writer.

pub mod chan_script;
pub mod ledger;
pub mod macro_input;
pub mod panics;
pub mod seeds;
pub mod tokens;
