//! The web client is built separately (`make web`); the binary embeds `web/dist`. When it has
//! not been built, a placeholder page is written so the server still compiles and says how
//! to build the client.

fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let index = dist.join("index.html");
    if !index.exists() {
        let _ = std::fs::create_dir_all(&dist);
        let _ = std::fs::write(
            &index,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Conclave</title></head><body><main><h1>Conclave</h1><p>The web client has not been built. Run <code>make serve</code> (or <code>make web</code>) from the repository root.</p></main></body></html>\n",
        );
    }
}
