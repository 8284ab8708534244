//! Password hashing with Argon2id (OWASP's default choice).
//!
//! Hashing is deliberately slow, so callers run it on the blocking pool. The cost parameters
//! are stored inside each PHC string, which lets an administrator raise them without
//! invalidating existing hashes.

use crate::error::{Error, Result};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// Hashes a password into a PHC string.
pub fn hash(password: &str, memory_kib: u32, passes: u32) -> Result<String> {
    let params = Params::new(memory_kib.max(8), passes.max(1), 1, None).map_err(Error::internal)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = crate::ids::random_bytes::<16>();
    Ok(argon.hash_password_with_salt(password.as_bytes(), &salt).map_err(Error::internal)?.to_string())
}

/// Checks a password against a PHC string; a malformed or empty hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        let h = super::hash("correct horse battery", 64, 1).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("correct horse battery", &h));
        assert!(!super::verify("wrong", &h));
        assert!(!super::verify("x", ""));
    }
}
