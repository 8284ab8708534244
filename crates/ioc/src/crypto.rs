//! Checksums for cryptocurrency addresses: Base58Check and Bech32/Bech32m for Bitcoin,
//! Monero's block Base58 with a Keccak-256 checksum, and EIP-55 mixed-case Ethereum
//! addresses. Keccak-256 is written here (24 rounds of Keccak-f\[1600\]) to avoid a
//! dependency for three call sites.

use sha2::{Digest, Sha256};

const B58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Byte -> Base58 digit value + 1 (0: not a Base58 digit).
static B58_VALUE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < B58.len() {
        t[B58[i] as usize] = i as u8 + 1;
        i += 1;
    }
    t
};

fn b58_digit(c: u8) -> Option<u32> {
    B58_VALUE[usize::from(c)].checked_sub(1).map(u32::from)
}

/// Decodes Base58 into at most `max` bytes (big-endian), keeping leading-zero bytes.
fn b58_decode(s: &[u8], max: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(max);
    for &c in s {
        let mut carry = b58_digit(c)?;
        for byte in out.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            out.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
        if out.len() > max {
            return None;
        }
    }
    let zeros = s.iter().take_while(|&&c| c == b'1').count();
    let mut full = vec![0u8; zeros];
    full.extend(out);
    (full.len() <= max).then_some(full)
}

/// A legacy (P2PKH `1...`) or P2SH (`3...`) address with a valid double-SHA-256 checksum.
pub fn is_btc_base58(s: &[u8]) -> bool {
    if !(26..=35).contains(&s.len()) || !matches!(s[0], b'1' | b'3') {
        return false;
    }
    let Some(raw) = b58_decode(s, 25) else {
        return false;
    };
    if raw.len() != 25 || !matches!(raw[0], 0x00 | 0x05) {
        return false;
    }
    let h = Sha256::digest(Sha256::digest(&raw[..21]));
    h[..4] == raw[21..]
}

fn bech32_polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];
    let mut chk: u32 = 1;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// A SegWit (`bc1q...`, Bech32) or Taproot (`bc1p...`, Bech32m) mainnet address.
pub fn is_btc_bech32(s: &[u8]) -> bool {
    const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    if !(14..=74).contains(&s.len()) {
        return false;
    }
    let lower = s.iter().all(|c| !c.is_ascii_uppercase());
    let upper = s.iter().all(|c| !c.is_ascii_lowercase());
    if !(lower || upper) {
        return false;
    }
    let s: Vec<u8> = s.iter().map(u8::to_ascii_lowercase).collect();
    if !s.starts_with(b"bc1") {
        return false;
    }
    let mut values = vec![3, 3, 0, 2, 3]; // hrp "bc" expanded
    for &c in &s[3..] {
        match CHARSET.iter().position(|&d| d == c) {
            Some(p) => values.push(p as u8),
            None => return false,
        }
    }
    let pm = bech32_polymod(&values);
    let witness_version = values[5];
    (witness_version == 0 && pm == 1) || (witness_version > 0 && witness_version <= 16 && pm == 0x2bc8_30a3)
}

/// A Monero standard, integrated or subaddress with a valid Keccak checksum.
pub fn is_xmr(s: &[u8]) -> bool {
    if !(s.len() == 95 || s.len() == 106) || !matches!(s[0], b'4' | b'8') {
        return false;
    }
    // Monero Base58 encodes 8-byte blocks as 11 characters; 7 characters hold 5 bytes.
    let mut data = Vec::with_capacity(77);
    for chunk in s.chunks(11) {
        let bytes = match chunk.len() {
            11 => 8,
            7 => 5,
            _ => return false,
        };
        let mut v: u128 = 0;
        for &c in chunk {
            let Some(d) = b58_digit(c) else { return false };
            v = v * 58 + u128::from(d);
        }
        if v >> (bytes * 8) != 0 {
            return false;
        }
        data.extend_from_slice(&v.to_be_bytes()[16 - bytes..]);
    }
    let n = data.len();
    keccak256(&data[..n - 4])[..4] == data[n - 4..]
}

/// `0x` + 40 hex digits; mixed case must carry a valid EIP-55 checksum.
pub fn is_eth(s: &[u8]) -> bool {
    if s.len() != 42 || !s.starts_with(b"0x") || !s[2..].iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    let hex = &s[2..];
    let has_lower = hex.iter().any(u8::is_ascii_lowercase);
    let has_upper = hex.iter().any(u8::is_ascii_uppercase);
    if !(has_lower && has_upper) {
        return true;
    }
    let lower: Vec<u8> = hex.iter().map(u8::to_ascii_lowercase).collect();
    let h = keccak256(&lower);
    hex.iter().enumerate().all(|(i, c)| {
        let nibble = (h[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0xf;
        !c.is_ascii_alphabetic() || (nibble >= 8) == c.is_ascii_uppercase()
    })
}

const RC: [u64; 24] = [
    0x0000_0000_0000_0001,
    0x0000_0000_0000_8082,
    0x8000_0000_0000_808a,
    0x8000_0000_8000_8000,
    0x0000_0000_0000_808b,
    0x0000_0000_8000_0001,
    0x8000_0000_8000_8081,
    0x8000_0000_0000_8009,
    0x0000_0000_0000_008a,
    0x0000_0000_0000_0088,
    0x0000_0000_8000_8009,
    0x0000_0000_8000_000a,
    0x0000_0000_8000_808b,
    0x8000_0000_0000_008b,
    0x8000_0000_0000_8089,
    0x8000_0000_0000_8003,
    0x8000_0000_0000_8002,
    0x8000_0000_0000_0080,
    0x0000_0000_0000_800a,
    0x8000_0000_8000_000a,
    0x8000_0000_8000_8081,
    0x8000_0000_0000_8080,
    0x0000_0000_8000_0001,
    0x8000_0000_8000_8008,
];
const ROT: [u32; 24] = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44];
const PI: [usize; 24] = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1];

fn keccak_f(st: &mut [u64; 25]) {
    for rc in RC {
        let mut bc = [0u64; 5];
        for (i, c) in bc.iter_mut().enumerate() {
            *c = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
        }
        for i in 0..5 {
            let t = bc[(i + 4) % 5] ^ bc[(i + 1) % 5].rotate_left(1);
            for j in (0..25).step_by(5) {
                st[j + i] ^= t;
            }
        }
        let mut t = st[1];
        for i in 0..24 {
            let j = PI[i];
            let tmp = st[j];
            st[j] = t.rotate_left(ROT[i]);
            t = tmp;
        }
        for j in (0..25).step_by(5) {
            let row = [st[j], st[j + 1], st[j + 2], st[j + 3], st[j + 4]];
            for i in 0..5 {
                st[j + i] = row[i] ^ (!row[(i + 1) % 5] & row[(i + 2) % 5]);
            }
        }
        st[0] ^= rc;
    }
}

/// Keccak-256 as used by Ethereum and Monero (original padding, not SHA3's).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    const RATE: usize = 136;
    let mut st = [0u64; 25];
    let mut block = [0u8; RATE];
    let mut chunks = data.chunks_exact(RATE);
    let absorb = |st: &mut [u64; 25], block: &[u8]| {
        for (i, w) in block.chunks_exact(8).enumerate() {
            st[i] ^= u64::from_le_bytes(w.try_into().expect("8-byte lane"));
        }
        keccak_f(st);
    };
    for c in &mut chunks {
        absorb(&mut st, c);
    }
    let rest = chunks.remainder();
    block[..rest.len()].copy_from_slice(rest);
    block[rest.len()] ^= 0x01;
    block[RATE - 1] ^= 0x80;
    absorb(&mut st, &block);
    let mut out = [0u8; 32];
    for (i, w) in st.iter().take(4).enumerate() {
        out[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn keccak_known_answers() {
        assert_eq!(hex(&keccak256(b"")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
        assert_eq!(hex(&keccak256(&[0u8; 200])).len(), 64);
    }

    #[test]
    fn base58_digit_table() {
        for c in 0..=255u8 {
            assert_eq!(b58_digit(c), B58.iter().position(|&d| d == c).map(|p| p as u32), "{c}");
        }
    }

    #[test]
    fn bitcoin_addresses() {
        assert!(is_btc_base58(b"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"));
        assert!(is_btc_base58(b"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"));
        assert!(!is_btc_base58(b"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"));
        assert!(is_btc_bech32(b"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"));
        assert!(is_btc_bech32(b"BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"));
        assert!(!is_btc_bech32(b"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx"));
        assert!(is_btc_bech32(b"bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"));
    }

    #[test]
    fn ethereum_checksums() {
        assert!(is_eth(b"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
        assert!(!is_eth(b"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
        assert!(is_eth(b"0x52908400098527886e0f7030069857d2e4169ee7"));
    }

    #[test]
    fn monero_checksum() {
        let addr = b"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";
        assert!(is_xmr(addr));
        let mut bad = addr.to_vec();
        bad[50] = if bad[50] == b'a' { b'b' } else { b'a' };
        assert!(!is_xmr(&bad));
    }
}
