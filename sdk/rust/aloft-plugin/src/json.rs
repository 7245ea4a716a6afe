//! Just enough JSON reading: spans of the borrowed input, no allocation for values. Keys are compared as raw
//! bytes (the host's canonical JSON escapes only '"', '\\' and control characters). Nesting is limited to
//! 256 levels, as in the host.

pub fn ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// b[i] is the opening quote; returns the index after the closing quote.
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Returns the index after the value starting at (or after whitespace from) i.
pub fn skip_value(b: &[u8], i: usize, depth: u32) -> Option<usize> {
    let mut i = ws(b, i);
    if depth > 256 {
        return None;
    }
    match *b.get(i)? {
        b'"' => skip_string(b, i),
        open @ (b'{' | b'[') => {
            let close = if open == b'{' { b'}' } else { b']' };
            i = ws(b, i + 1);
            if b.get(i) == Some(&close) {
                return Some(i + 1);
            }
            loop {
                if open == b'{' {
                    i = skip_string(b, ws(b, i))?;
                    i = ws(b, i);
                    if b.get(i) != Some(&b':') {
                        return None;
                    }
                    i += 1;
                }
                i = ws(b, skip_value(b, i, depth + 1)?);
                match *b.get(i)? {
                    b',' => i += 1,
                    c if c == close => return Some(i + 1),
                    _ => return None,
                }
            }
        }
        _ => {
            let start = i;
            while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                i += 1;
            }
            (i > start).then_some(i)
        }
    }
}

/// The members of an object: (raw key without quotes, value span). None when malformed.
pub fn members(obj: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    let mut out = Vec::new();
    let mut i = ws(obj, 0);
    if obj.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(obj, i + 1);
    if obj.get(i) == Some(&b'}') {
        return Some(out);
    }
    loop {
        let key_end = skip_string(obj, i)?;
        let key = &obj[i + 1..key_end - 1];
        i = ws(obj, key_end);
        if obj.get(i) != Some(&b':') {
            return None;
        }
        let start = ws(obj, i + 1);
        let end = skip_value(obj, start, 0)?;
        out.push((key, &obj[start..end]));
        i = ws(obj, end);
        match *obj.get(i)? {
            b',' => i = ws(obj, i + 1),
            b'}' => return Some(out),
            _ => return None,
        }
    }
}

pub fn get<'a>(obj: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    members(obj)?.into_iter().find(|(k, _)| *k == key).map(|(_, v)| v)
}

pub fn path<'a>(root: &'a [u8], keys: &[&str]) -> Option<&'a [u8]> {
    keys.iter().try_fold(root, |at, k| get(at, k.as_bytes()))
}

pub fn int(v: &[u8]) -> Option<i64> {
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// The contents of a JSON string without escapes, e.g. "db-password".
pub fn plain_string(v: &[u8]) -> Option<&[u8]> {
    (v.len() >= 2 && v[0] == b'"' && v[v.len() - 1] == b'"' && !v[1..v.len() - 1].contains(&b'\\'))
        .then(|| &v[1..v.len() - 1])
}

/// A JSON number (an integer too) as f64.
pub fn number(v: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(v).ok()?;
    if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

pub fn boolean(v: &[u8]) -> Option<bool> {
    match v {
        b"true" => Some(true),
        b"false" => Some(false),
        _ => None,
    }
}

/// A JSON string with its escapes decoded; None when it is not a valid one.
pub fn string(v: &[u8]) -> Option<String> {
    if v.len() < 2 || v[0] != b'"' || v[v.len() - 1] != b'"' {
        return None;
    }
    let inner = &v[1..v.len() - 1];
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let e = *inner.get(i)?;
        i += 1;
        let decoded = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = hex4(inner.get(i..i + 4)?)?;
                i += 4;
                let code = if (0xD800..0xDC00).contains(&high) {
                    if inner.get(i..i + 2)? != b"\\u" {
                        return None;
                    }
                    let low = hex4(inner.get(i + 2..i + 6)?)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return None;
                    }
                    i += 6;
                    0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    high
                };
                char::from_u32(code)?
            }
            _ => return None,
        };
        let mut utf8 = [0u8; 4];
        out.extend_from_slice(decoded.encode_utf8(&mut utf8).as_bytes());
    }
    String::from_utf8(out).ok()
}

fn hex4(digits: &[u8]) -> Option<u32> {
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// Writes `s` as a JSON string: '"', '\\' and control characters escaped, everything else as it is.
pub fn write_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => {
                let mut utf8 = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
        }
    }
    out.push(b'"');
}
