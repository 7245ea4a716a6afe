//! Rust bindings for the Aloft plugin ABI 1.1: the `#[repr(C)]` types of `aloft_plugin.h` ([`abi`]) and safe
//! helpers around them, so a plugin need not hand-roll buffers, errors, panics or JSON. No dependencies.
//!
//! A plugin is a `cdylib` that exports `aloft_plugin_entry` and fills a static [`abi::aloft_plugin`]
//! ([`Descriptor`]); every exported function wraps its body in [`guard`] (panics become `ALOFT_ERROR`, never
//! an abort of the host). [`Context`] reads the task context and its inputs as typed values, [`Outputs`]
//! writes the literal map poll returns, [`owned_buffer`] makes the buffers the host releases, [`host`] wraps
//! the host's callbacks. A synchronous task type (ABI 1.1, aloft/sync.h) is named in `sync_task_types` (a
//! [`TaskTypes`] too) and served by `run_sync`, which writes the task's [`Outputs`] in one call. `examples/plugins/rust-echo` is a complete plugin built on this crate;
//! docs/plugin-abi.md is the contract.
//!
//! Each plugin links its own copy of this crate, so its globals (the host table) belong to one plugin.

pub mod abi;
mod buffer;
mod context;
mod descriptor;
mod failure;
pub mod host;
pub mod json;
mod outputs;

pub use buffer::{borrowed, owned_buffer, take_string};
pub use context::{Context, Literal};
pub use descriptor::{Descriptor, TaskTypes};
pub use failure::{guard, Failure};
pub use outputs::Outputs;
