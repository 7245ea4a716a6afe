use crate::abi::aloft_task;
use crate::buffer::borrowed;
use crate::failure::Failure;
use crate::json;
use std::ffi::CStr;

/// The task context document (docs/plugin-abi.md, section 9), borrowed for one call. Unknown keys are
/// ignored everywhere.
pub struct Context<'a> {
    /// The task's id, also the external job name to use (idempotent submit).
    pub task_execution_id: String,
    pub attempt: u32,
    pub document: &'a [u8],
    /// The literal map of inputs.
    pub inputs: &'a [u8],
    /// task.config: the task's own JSON for this plugin (`{}` when absent).
    pub config: &'a [u8],
    /// task.interface.outputs: the declared output types (`{}` when none).
    pub outputs: &'a [u8],
}

/// One input value (section 8). Kinds without a variant are `Other`, with the JSON inside the literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal<'a> {
    None,
    Integer(i64),
    Float(f64),
    String(String),
    Boolean(bool),
    Other { kind: &'a [u8], value: &'a [u8] },
}

impl<'a> Context<'a> {
    /// Reads the context of a task the host passed in; a system error when it is not a context document.
    pub fn read(task: &'a aloft_task) -> Result<Context<'a>, Failure> {
        let document = borrowed(task.context);
        let bad = || Failure::system("BadContext", "the task context is not a JSON object with inputs");
        let inputs = json::get(document, b"inputs").ok_or_else(bad)?;
        let id = if task.task_execution_id.is_null() {
            String::new()
        } else {
            // SAFETY: the host passes a NUL-terminated id, borrowed for the call.
            unsafe { CStr::from_ptr(task.task_execution_id) }.to_string_lossy().into_owned()
        };
        Ok(Context {
            task_execution_id: id,
            attempt: task.attempt,
            document,
            inputs,
            config: json::path(document, &["task", "config"]).unwrap_or(b"{}"),
            outputs: json::path(document, &["task", "interface", "outputs"]).unwrap_or(b"{}"),
        })
    }

    /// The input `name` as written (a whole literal such as `{"integer":3}`), e.g. to copy into outputs.
    pub fn input_json(&self, name: &str) -> Option<&'a [u8]> {
        json::get(self.inputs, name.as_bytes())
    }

    /// The input `name`; None when there is no such input or it is not a literal.
    pub fn input(&self, name: &str) -> Option<Literal<'a>> {
        let members = json::members(self.input_json(name)?)?;
        let [(kind, value)] = members.as_slice() else { return None };
        let (kind, value) = (*kind, *value);
        Some(match kind {
            b"none" => Literal::None,
            b"integer" => Literal::Integer(json::int(value)?),
            b"float" => Literal::Float(match json::plain_string(value) {
                Some(b"NaN") => f64::NAN,
                Some(b"Infinity") => f64::INFINITY,
                Some(b"-Infinity") => f64::NEG_INFINITY,
                Some(_) => return None,
                None => json::number(value)?,
            }),
            b"string" => Literal::String(json::string(value)?),
            b"boolean" => Literal::Boolean(json::boolean(value)?),
            _ => Literal::Other { kind, value },
        })
    }

    pub fn input_integer(&self, name: &str) -> Option<i64> {
        match self.input(name)? {
            Literal::Integer(v) => Some(v),
            _ => None,
        }
    }

    pub fn input_float(&self, name: &str) -> Option<f64> {
        match self.input(name)? {
            Literal::Float(v) => Some(v),
            _ => None,
        }
    }

    pub fn input_string(&self, name: &str) -> Option<String> {
        match self.input(name)? {
            Literal::String(v) => Some(v),
            _ => None,
        }
    }

    pub fn input_boolean(&self, name: &str) -> Option<bool> {
        match self.input(name)? {
            Literal::Boolean(v) => Some(v),
            _ => None,
        }
    }

    /// task.config.<key> as raw JSON (config values are plain JSON, not literals).
    pub fn config(&self, key: &str) -> Option<&'a [u8]> {
        json::get(self.config, key.as_bytes())
    }

    pub fn config_integer(&self, key: &str) -> Option<i64> {
        json::int(self.config(key)?)
    }

    pub fn config_string(&self, key: &str) -> Option<String> {
        json::string(self.config(key)?)
    }

    pub fn config_boolean(&self, key: &str) -> Option<bool> {
        json::boolean(self.config(key)?)
    }

    /// The declared outputs' names (raw keys, as in the interface).
    pub fn output_names(&self) -> Vec<&'a [u8]> {
        json::members(self.outputs).unwrap_or_default().into_iter().map(|(name, _)| name).collect()
    }
}
