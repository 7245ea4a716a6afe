//! The helpers against the encoding of docs/plugin-abi.md, section 8 (run with `cargo test`).
use aloft_plugin::abi::{aloft_bytes, aloft_task};
use aloft_plugin::{json, Context, Literal, Outputs};

fn task(context: &'static str) -> aloft_task {
    aloft_task {
        struct_size: std::mem::size_of::<aloft_task>() as u32,
        attempt: 2,
        task_execution_id: c"ex-1-n-2-abc".as_ptr(),
        context: aloft_bytes { data: context.as_ptr(), len: context.len() },
        state: aloft_bytes { data: std::ptr::null(), len: 0 },
    }
}

const CONTEXT: &str = r#"{"inputs":{"b":{"boolean":true},"f":{"float":0.5},"i":{"integer":-9223372036854775808},"n":{"none":null},"nan":{"float":"NaN"},"s":{"string":"h\u00e9 \"q\" \ud83d\ude00"},"u":{"blob":{"uri":"s3://b/k"}}},"task":{"config":{"delay_ms":250,"name":"x\ny"},"interface":{"outputs":{"s":"string"}}}}"#;

#[test]
fn inputs_read_as_typed_values() {
    let t = task(CONTEXT);
    let ctx = Context::read(&t).expect("a context");
    assert_eq!(ctx.task_execution_id, "ex-1-n-2-abc");
    assert_eq!(ctx.attempt, 2);
    assert_eq!(ctx.input_integer("i"), Some(i64::MIN));
    assert_eq!(ctx.input_float("f"), Some(0.5));
    assert!(ctx.input_float("nan").unwrap().is_nan());
    assert_eq!(ctx.input_boolean("b"), Some(true));
    assert_eq!(ctx.input_string("s").as_deref(), Some("hé \"q\" 😀"));
    assert_eq!(ctx.input("n"), Some(Literal::None));
    assert!(matches!(ctx.input("u"), Some(Literal::Other { kind: b"blob", .. })));
    assert_eq!(ctx.input_integer("s"), None);
    assert_eq!(ctx.input("missing"), None);
    assert_eq!(ctx.config_integer("delay_ms"), Some(250));
    assert_eq!(ctx.config_string("name").as_deref(), Some("x\ny"));
    assert_eq!(ctx.output_names(), vec![b"s".as_slice()]);
}

#[test]
fn outputs_are_a_literal_map() {
    let mut out = Outputs::new();
    out.string("s", "a\"b\\c\n\u{1}é").float("whole", 3.0).float("inf", f64::NEG_INFINITY).boolean("b", false).none("n");
    out.literal("copy", br#"{"integer":7}"#);
    let bytes = out.finish();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        r#"{"s":{"string":"a\"b\\c\n\u0001é"},"whole":{"float":3.0},"inf":{"float":"-Infinity"},"b":{"boolean":false},"n":{"none":null},"copy":{"integer":7}}"#
    );
    assert_eq!(Outputs::new().finish(), b"{}");
}

#[test]
fn malformed_strings_are_refused() {
    assert_eq!(json::string(br#""\ud800""#), None);
    assert_eq!(json::string(br#""\u+041""#), None);
    assert_eq!(json::string(br#""\x""#), None);
}
