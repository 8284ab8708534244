"""Scores Conclave, ioc-finder and iocextract on the same corpus and text.

Usage: compare.py CORPUS_DIR CONCLAVE_PREDICTIONS.jsonl BLOB_FILE

Type mapping (peers -> our types), applied the same way to every tool:
- ioc-finder: urls->url, domains->domain, ipv4s->ipv4, ipv4_cidrs->ipv4_cidr, ipv6s->ipv6,
  email_addresses->email, md5s/sha1s/sha256s/sha512s->same, cves->cve,
  attack_techniques->attack_technique, attack_tactics->attack_tactic, asns->asn,
  bitcoin_addresses->btc, monero_addresses->xmr, registry_key_paths->registry_key,
  file_paths->file_path. Its other types (phone numbers, MACs, user agents, imphashes...)
  have no label in our corpus and are ignored rather than counted as false positives.
- iocextract: extract_urls->url, extract_ips->ipv4/ipv6 (by parsing), extract_emails->email,
  extract_md5/sha1/sha256/sha512_hashes->same. It has no domain, CVE or ATT&CK extractor.
Our labelling policy reports a URL's host and an e-mail's domain only as part of the URL or
e-mail, so a peer's domain/ipv4 equal to the host of one of its own URLs or e-mails in the
same message is dropped instead of counted as a false positive. Values are normalised the
way our canonical values are (lower-case hosts and hashes, refanged, `http://` added to
scheme-less URLs, default ports removed, IPv6 compressed, CVE/ATT&CK upper-case, registry
hives spelled out) so that formatting differences are not counted as errors.
"""
import ipaddress
import json
import re
import sys
import time
import warnings
from collections import defaultdict

warnings.filterwarnings("ignore")

HIVES = {"HKLM": "HKEY_LOCAL_MACHINE", "HKCU": "HKEY_CURRENT_USER", "HKCR": "HKEY_CLASSES_ROOT",
         "HKU": "HKEY_USERS", "HKCC": "HKEY_CURRENT_CONFIG"}


def load_corpus(d):
    import os
    msgs = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".txt"):
            continue
        cur = None
        for line in open(os.path.join(d, name), encoding="utf-8").read().split("\n"):
            if line.startswith("=== "):
                if cur:
                    msgs.append(cur)
                cur = {"id": line[4:].strip(), "text": [], "expect": set(), "in_expect": False}
            elif cur is not None:
                if line == "--- expect":
                    cur["in_expect"] = True
                elif cur["in_expect"]:
                    if line.strip() and not line.startswith("#"):
                        t, v = line.split(" ", 1)
                        cur["expect"].add((t, v.strip()))
                else:
                    cur["text"].append(line)
        if cur:
            msgs.append(cur)
    for m in msgs:
        m["text"] = "\n".join(m["text"])
    return msgs


def norm_host(h):
    h = h.strip().rstrip(".").lower()
    try:
        return h.encode("idna").decode() if not h.isascii() else h
    except Exception:
        return h


def norm_url(u):
    u = u.strip()
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://([^/?#]*)(.*)$", u)
    if not m:
        m = re.match(r"^()([^/?#]*)(.*)$", u)
        scheme = "http"
    else:
        scheme = m.group(1).lower()
    auth, rest = m.group(2), m.group(3)
    user = ""
    if "@" in auth:
        user, auth = auth.rsplit("@", 1)
        user += "@"
    port = ""
    if auth.startswith("["):
        host = auth
    elif ":" in auth:
        auth, port = auth.rsplit(":", 1)
        host = norm_host(auth)
    else:
        host = norm_host(auth)
    if (scheme, port) in (("http", "80"), ("https", "443"), ("ftp", "21")):
        port = ""
    return f"{scheme}://{user}{host}{':' + port if port else ''}{rest}"


def norm(t, v):
    v = v.strip()
    if t in ("domain",):
        return norm_host(v)
    if t == "email":
        return v.lower()
    if t in ("md5", "sha1", "sha256", "sha512", "eth", "ja3"):
        return v.lower()
    if t == "url":
        return norm_url(v)
    if t == "ipv6":
        try:
            return str(ipaddress.IPv6Address(v.strip("[]")))
        except ValueError:
            return v.lower()
    if t in ("ipv4_cidr", "ipv6_cidr"):
        try:
            return str(ipaddress.ip_network(v, strict=False))
        except ValueError:
            return v
    if t in ("cve", "attack_technique", "attack_tactic"):
        return v.upper()
    if t == "asn":
        return "AS" + re.sub(r"\D", "", v)
    if t == "registry_key":
        head, _, tail = v.partition("\\")
        return HIVES.get(head.upper().rstrip(":"), head) + ("\\" + tail if tail else "")
    return v


def drop_hosts(found):
    hosts = set()
    for t, v in found:
        if t == "url":
            m = re.match(r"^[a-z0-9+.-]+://(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]+)", v)
            if m:
                hosts.add(m.group(1).strip("[]"))
        elif t == "email":
            hosts.add(v.rsplit("@", 1)[-1])
    return {(t, v) for t, v in found if not (t in ("domain", "ipv4", "ipv6") and v in hosts)}


IOCFINDER_MAP = {
    "urls": "url", "domains": "domain", "ipv4s": "ipv4", "ipv4_cidrs": "ipv4_cidr", "ipv6s": "ipv6",
    "email_addresses": "email", "md5s": "md5", "sha1s": "sha1", "sha256s": "sha256", "sha512s": "sha512",
    "cves": "cve", "asns": "asn", "bitcoin_addresses": "btc", "monero_addresses": "xmr",
    "registry_key_paths": "registry_key", "file_paths": "file_path",
    "attack_techniques": "attack_technique", "attack_tactics": "attack_tactic",
}


def flatten(v):
    if isinstance(v, dict):
        for x in v.values():
            yield from flatten(x)
    elif isinstance(v, (list, tuple, set)):
        for x in v:
            yield from flatten(x)
    elif isinstance(v, str):
        yield v


def iocfinder_all(text):
    """ioc-finder with every type and the options that match our labelling policy (no
    domains from URLs or e-mails, no addresses from CIDRs, nothing from URL paths)."""
    from ioc_finder import find_iocs
    from ioc_finder.ioc_finder import SUPPORTED_IOC_TYPES
    return find_iocs(text, parse_domain_from_url=False, parse_from_url_path=False,
                     parse_domain_from_email_address=False, parse_address_from_cidr=False,
                     included_ioc_types=SUPPORTED_IOC_TYPES)


def run_iocfinder(text):
    res = iocfinder_all(text)
    out = set()
    for k, t in IOCFINDER_MAP.items():
        for v in flatten(res.get(k, [])):
            out.add((t, norm(t, v)))
    return drop_hosts(out)


def run_iocextract(text):
    import iocextract as ie
    out = set()
    for v in ie.extract_urls(text, refang=True):
        out.add(("url", norm("url", v)))
    for v in ie.extract_ips(text, refang=True):
        try:
            a = ipaddress.ip_address(v.strip("[]"))
            out.add(("ipv4" if a.version == 4 else "ipv6", norm("ipv6" if a.version == 6 else "ipv4", str(a))))
        except ValueError:
            out.add(("ipv4", v))
    for v in ie.extract_emails(text, refang=True):
        out.add(("email", norm("email", v)))
    for fn, t in ((ie.extract_md5_hashes, "md5"), (ie.extract_sha1_hashes, "sha1"),
                  (ie.extract_sha256_hashes, "sha256"), (ie.extract_sha512_hashes, "sha512")):
        for v in fn(text):
            out.add((t, norm(t, v)))
    return drop_hosts(out)


def score(msgs, predict):
    per = defaultdict(lambda: [0, 0, 0])
    core = [0, 0, 0]
    for m in msgs:
        got, exp = predict(m), m["expect"]
        for p in got | exp:
            c = per[p[0]]
            i = 0 if (p in got and p in exp) else 1 if p in got else 2
            c[i] += 1
    tot = [sum(c[i] for c in per.values()) for i in range(3)]
    return per, tot


def pr(c):
    tp, fp, fn = c
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def throughput(fn, msgs_text, budget_s):
    """Per-message calls over the blob's messages until the time budget is spent."""
    done = 0
    t0 = time.perf_counter()
    for m in msgs_text:
        fn(m)
        done += len(m.encode())
        if time.perf_counter() - t0 > budget_s:
            break
    return done / 1e6 / (time.perf_counter() - t0), done


def main():
    corpus_dir, conclave_pred, blob = sys.argv[1], sys.argv[2], sys.argv[3]
    msgs = load_corpus(corpus_dir)
    ours = {}
    for line in open(conclave_pred, encoding="utf-8"):
        o = json.loads(line)
        ours[o["id"]] = {(t, v) for t, v in o["found"]}
    tools = {
        "conclave": lambda m: ours[m["id"]],
        "ioc-finder": lambda m: run_iocfinder(m["text"]),
        "iocextract": lambda m: run_iocextract(m["text"]),
    }
    results = {}
    for name, fn in tools.items():
        per, tot = score(msgs, fn)
        results[name] = (per, tot)
    print(f"\n== accuracy on {len(msgs)} corpus messages (type, canonical value) ==")
    print(f"{'tool':<12} {'tp':>5} {'fp':>5} {'fn':>5} {'precision':>9} {'recall':>7}")
    for name, (per, tot) in results.items():
        p, r = pr(tot)
        print(f"{name:<12} {tot[0]:>5} {tot[1]:>5} {tot[2]:>5} {p:>9.3f} {r:>7.3f}")
    print("\nper-type recall (conclave / ioc-finder / iocextract):")
    types = sorted({t for _, (per, _) in results.items() for t in per})
    for t in types:
        cells = []
        for name in tools:
            c = results[name][0].get(t, [0, 0, 0])
            p, r = pr(c)
            cells.append(f"P {p:.2f} R {r:.2f}")
        print(f"  {t:<17} " + " | ".join(cells))
    text = open(blob, encoding="utf-8").read()
    parts = text.split("\n\n")
    print(f"\n== throughput, per-message calls on the chat-like blob ({len(text.encode())/1e6:.1f} MB) ==")
    budget = float(__import__("os").environ.get("PEER_BUDGET_S", "20"))
    speeds = {}
    for name, fn in (("ioc-finder", iocfinder_all),
                     ("ioc-finder (default types)", lambda s: __import__("ioc_finder").find_iocs(s)),
                     ("iocextract", lambda s: list(__import__("iocextract").extract_iocs(s, refang=True)))):
        mbs, done = throughput(fn, parts, budget)
        print(f"{name:<27} {mbs:8.3f} MB/s  (first {done/1e6:.2f} MB, {budget:.0f} s budget)")
        speeds[name] = mbs
    json.dump(speeds, open(blob + ".peers.json", "w"))


if __name__ == "__main__":
    main()
