//! `conclave ioc extract`: the indicator engine on a file or standard input.
//!
//! Input must be UTF-8 text; it is read whole (capped at 256 MiB so a stray device file
//! cannot exhaust memory) and extraction runs in time linear in its size.

use clap::{Subcommand, ValueEnum};
use std::io::{Read, Write};

#[derive(Subcommand, Debug)]
pub enum IocCommand {
    /// Extract indicators of compromise from text.
    Extract {
        /// A file to read, or `-` (the default) for standard input.
        #[arg(default_value = "-")]
        input: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// TLP label for STIX output (CLEAR, GREEN, AMBER, AMBER+STRICT, RED).
        #[arg(long, default_value = "AMBER")]
        tlp: String,
        /// Also report findings an allow-list suppressed, with the reason.
        #[arg(long)]
        include_suppressed: bool,
        /// Extra allow-list entries (`cidr …`, `domain …`, `value …` lines).
        #[arg(long)]
        allowlist: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Text,
    Stix,
}

const MAX_INPUT: u64 = 256 << 20;

fn read_input(input: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    let name = if input == "-" { "standard input".to_owned() } else { input.to_owned() };
    let result = if input == "-" {
        std::io::stdin().lock().take(MAX_INPUT + 1).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(input).and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut bytes))
    };
    result.map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(format!("{name} is larger than {} MiB", MAX_INPUT >> 20));
    }
    String::from_utf8(bytes).map_err(|e| format!("{name} is not valid UTF-8 (first bad byte at offset {})", e.utf8_error().valid_up_to()))
}

pub fn run(command: IocCommand) -> Result<(), String> {
    let IocCommand::Extract { input, format, tlp, include_suppressed, allowlist } = command;
    let tlp: ioc::stix::Tlp = tlp.parse().map_err(|_| format!("--tlp must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED (got {tlp:?})"))?;
    let mut list = ioc::Allowlist::new();
    if let Some(path) = allowlist {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
        list.extend_from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    }
    let text = read_input(&input)?;
    let extractor = ioc::Extractor::with_allowlist(list);
    let findings = if include_suppressed { extractor.extract_all(&text) } else { extractor.extract(&text) };
    let out = match format {
        Format::Json => ioc::format::to_json_lines(&findings),
        Format::Csv => ioc::format::to_csv(&findings),
        Format::Text => ioc::format::to_text(&findings),
        Format::Stix => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
            let mut s = serde_json::to_string_pretty(&ioc::format::to_stix_bundle(&findings, tlp, now, "Conclave")).map_err(|e| e.to_string())?;
            s.push('\n');
            s
        }
    };
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write output: {e}")),
    }
}
