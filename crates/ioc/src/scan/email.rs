//! E-mail addresses, anchored on `@` (refanged from `[at]`, `(at)`, `[@]`). The local part is
//! read backwards for at most 64 bytes and stops at the first non-address character, so a
//! preceding word (`sender ap-billing@...`) is never glued on.

use super::{Cand, Ctx};
use crate::anchors::Class;
use crate::host::parse_domain;
use crate::lex::{extend_back, extend_fwd, is_host_char};
use crate::types::IocType;

fn is_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

pub(super) fn scan(ctx: &Ctx<'_>, out: &mut Vec<Cand>) {
    if !ctx.anchors.has(Class::At) {
        return;
    }
    let (text, b) = (ctx.text, ctx.bytes);
    let mut pos = 0;
    for at in ctx.anchors.iter(Class::At) {
        if at < pos {
            continue;
        }
        let floor = pos.max(at.saturating_sub(64));
        let mut ls = extend_back(text, at, floor, is_local);
        if ls == floor && ls > pos && ls > 0 && is_local(b[ls - 1] as char) {
            continue; // longer than 64 bytes: not an address
        }
        while ls < at && b[ls] == b'.' {
            ls += 1;
        }
        let local = &text[ls..at];
        if local.is_empty() || local.ends_with('.') || local.contains("..") {
            continue;
        }
        let mut de = extend_fwd(text, at + 1, at + 1 + 1024, |c| is_host_char(c) && c != '_');
        pos = de;
        while de > at + 1 && matches!(b[de - 1], b'.' | b'-') {
            de -= 1;
        }
        let Some(h) = parse_domain(&text[at + 1..de]) else {
            continue;
        };
        static ID: crate::lex::WordSet = crate::lex::WordSet::new(&["id", "msgid"]);
        if crate::lex::context_has(b, ls, 2, &ID) {
            continue; // `Message-ID: <...@host>` is not a mailbox
        }
        let value = format!("{}@{}", local.to_ascii_lowercase(), h.ascii);
        let mut c = ctx.cand(IocType::Email, ls, de, value, 70);
        c.flags.idn = h.idn;
        c.flags.idn_mixed_script = h.mixed_script;
        out.push(c);
    }
}
