//! Indicator-of-compromise extraction for chat text.
//!
//! Pure library: no I/O, no async, no global mutable state. Extraction never fails and
//! never panics, and runs in time linear in the input (no backtracking regular
//! expressions; every scanner either consumes a region once or reads a bounded window).
//!
//! ```
//! let ex = ioc::Extractor::new();
//! let found = ex.extract("C2 at hxxp://evil-cdn[.]top/gate.php and 45.137.21[.]9:8080, ignore 10.0.0.5");
//! let pairs: Vec<_> = found.iter().map(|f| (f.kind.as_str(), f.value.as_str())).collect();
//! assert_eq!(pairs, [("url", "http://evil-cdn.top/gate.php"), ("ipv4", "45.137.21.9")]);
//! assert_eq!(found[1].port, Some(8080));
//! assert_eq!(ioc::defang(found[1].kind, &found[1].value), "45[.]137[.]21[.]9");
//! ```
//!
//! # API map
//! - [`Extractor`]: `extract` (active findings) and `extract_all` (with suppressed ones),
//!   both ordered by byte offset. Build once, share behind an `Arc`.
//! - [`Finding`]: `kind` ([`IocType`]), canonical `value`, `raw` text and `start..end`
//!   byte span, `confidence` 0-100, `suppressed` ([`Suppression`]), `port`, [`Flags`].
//! - [`refang`] / [`defang`]: text-level refanging and display-safe rendering.
//! - [`Allowlist`]: built-in lists from `data/`, extended by administrators with
//!   [`Allowlist::extend_from_str`].
//! - [`stix`]: TLP 2.0 markings, patterns (with a validator), deterministic SCO ids, and
//!   builders for indicator, identity, sighting, report, vulnerability, attack-pattern,
//!   bundle.
//! - [`format`](mod@format): renderers used by `conclave ioc extract` (JSON lines, CSV, text, STIX).
//! - [`fuzz_extract`] / [`fuzz_pattern`]: invariant checks shared by the fuzz targets
//!   and the tests.
//!
//! # Canonical values
//! Hosts are lower-case, IDNs in punycode (look-alikes flagged), no trailing dot. URLs keep
//! path and query as written, with lower-case scheme and host and default ports dropped; a
//! URL written without a scheme gets `http://`. A URL is reported as a URL only: its host
//! is not reported again as a domain, nor an e-mail's domain. IPs drop their port (kept
//! in `port`), CIDRs are masked to their network. Hashes and wallets (bech32, Ethereum)
//! are lower-case; CVE and ATT&CK ids upper-case; registry hives spelled in full.
//!
//! # Rules worth knowing
//! - Defang tokens (`hxxp`, `hXXps`, `h[xx]p`, `fxp`, `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)`,
//!   `{dot}`, ` dot `, `\.`, `[:]`, `[://]`, `[/]`, `[at]`, `(at)`, `{at}`, `[@]`, `(@)`,
//!   also with spaces around them) are undone before scanning; `flags.defanged` says so.
//! - A name whose last label is both a TLD and a common file extension (`.py`, `.md`,
//!   `.zip`, `.mov`, `.sh`, `.run`...) is a domain only when defanged, followed by a port
//!   or path, or after a word such as `domain`, `C2`, `resolves`; otherwise it may be a
//!   file name. File names are reported for risky extensions (`.exe`, `.dll`, `.lnk`,
//!   `.docm`...) or after words such as `dropped`, `attachment`, `named`, `file:`.
//! - Dotted quads after `version`, `build`, `firmware`, `section`, `NetRange`... are not
//!   IPs; neither are leading-zero or five-part numbers. 40-hex strings after `commit`/`git`
//!   are not SHA-1s; 32-hex strings after `ja3`/`ja3s` are JA3; mutex names follow `mutex`.
//! - ATT&CK ids are checked against the ranges ATT&CK uses; wallets against their
//!   checksums (Base58Check, Bech32/Bech32m, Monero Keccak, EIP-55 mixed case).

#![forbid(unsafe_code)]

mod allowlist;
mod anchors;
mod crypto;
mod extractor;
pub mod format;
mod fuzz;
mod host;
mod lex;
mod net;
mod refang;
mod scan;
pub mod stix;
mod types;

pub use allowlist::{Allowlist, AllowlistError};
pub use extractor::Extractor;
pub use fuzz::{fuzz_extract, fuzz_pattern};
pub use refang::{defang, refang};
pub use types::{Finding, Flags, IocType, Suppression, UnknownType};
