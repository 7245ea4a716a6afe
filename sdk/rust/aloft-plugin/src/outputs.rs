use crate::json;

/// The literal map poll returns with `ALOFT_PHASE_SUCCEEDED` (docs/plugin-abi.md, section 8):
///
/// ```
/// let mut out = aloft_plugin::Outputs::new();
/// out.integer("times", 3).string("greeting", "héllo").float("ratio", 0.5);
/// let expected = r#"{"times":{"integer":3},"greeting":{"string":"héllo"},"ratio":{"float":0.5}}"#;
/// assert_eq!(out.finish(), expected.as_bytes());
/// ```
///
/// `finish` gives the bytes; hand them to the host with `owned_buffer`. No output written gives `{}`.
#[derive(Default)]
pub struct Outputs {
    bytes: Vec<u8>,
}

impl Outputs {
    pub fn new() -> Outputs {
        Outputs::default()
    }

    fn key(&mut self, name: &str) -> &mut Outputs {
        self.bytes.push(if self.bytes.is_empty() { b'{' } else { b',' });
        json::write_string(&mut self.bytes, name);
        self.bytes.push(b':');
        self
    }

    fn literal_of(&mut self, name: &str, kind: &str, value: &[u8]) -> &mut Outputs {
        self.key(name);
        self.bytes.extend_from_slice(b"{\"");
        self.bytes.extend_from_slice(kind.as_bytes());
        self.bytes.extend_from_slice(b"\":");
        self.bytes.extend_from_slice(value);
        self.bytes.push(b'}');
        self
    }

    pub fn integer(&mut self, name: &str, value: i64) -> &mut Outputs {
        self.literal_of(name, "integer", value.to_string().as_bytes())
    }

    /// NaN and the infinities as the strings the encoding uses; finite values in their shortest form.
    pub fn float(&mut self, name: &str, value: f64) -> &mut Outputs {
        let text = if value.is_nan() {
            "\"NaN\"".to_string()
        } else if value.is_infinite() {
            if value > 0.0 { "\"Infinity\"" } else { "\"-Infinity\"" }.to_string()
        } else {
            format!("{value:?}") // Debug: shortest round trip, always with '.' or an exponent
        };
        self.literal_of(name, "float", text.as_bytes())
    }

    pub fn string(&mut self, name: &str, value: &str) -> &mut Outputs {
        let mut quoted = Vec::with_capacity(value.len() + 2);
        json::write_string(&mut quoted, value);
        self.literal_of(name, "string", &quoted)
    }

    pub fn boolean(&mut self, name: &str, value: bool) -> &mut Outputs {
        self.literal_of(name, "boolean", if value { b"true" } else { b"false" })
    }

    pub fn none(&mut self, name: &str) -> &mut Outputs {
        self.literal_of(name, "none", b"null")
    }

    /// Any literal as its JSON (e.g. `Context::input_json`), copied byte for byte.
    pub fn literal(&mut self, name: &str, json: &[u8]) -> &mut Outputs {
        self.key(name);
        self.bytes.extend_from_slice(json);
        self
    }

    pub fn finish(mut self) -> Vec<u8> {
        if self.bytes.is_empty() {
            return b"{}".to_vec();
        }
        self.bytes.push(b'}');
        self.bytes
    }
}
