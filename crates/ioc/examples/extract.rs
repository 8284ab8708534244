//! Prints findings for stdin as JSON lines (all findings with `--all`). A development aid;
//! the product CLI is `conclave ioc extract`.

use std::io::Read;

fn main() {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).expect("stdin is UTF-8");
    let ex = ioc::Extractor::new();
    let all = std::env::args().any(|a| a == "--all");
    let found = if all { ex.extract_all(&input) } else { ex.extract(&input) };
    print!("{}", ioc::format::to_json_lines(&found));
}
