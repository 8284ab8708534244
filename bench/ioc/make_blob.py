"""Writes a deterministic chat-like text of at least N MB: ordinary chat lines with the
corpus messages mixed in (about one message in five carries indicators), one message per
paragraph (separated by a blank line)."""
import random
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from compare import load_corpus  # noqa: E402

corpus_dir, out, mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
msgs = [m["text"].replace("\n\n", "\n") for m in load_corpus(corpus_dir)]
words = ("the a we our team it is was on for to of and in this that with from at about can "
         "please check call patch update meeting later today tomorrow review shift handover "
         "ticket alert incident looks fine thanks agreed noted escalated vendor customer "
         "server laptop network logs report draft question answer coffee weekend").split()
rng = random.Random(42)
target = int(mb * 1e6)
size = 0
parts = []
while size < target:
    if rng.random() < 0.2:
        p = rng.choice(msgs)
    else:
        p = " ".join(rng.choice(words) for _ in range(rng.randint(6, 30))).capitalize() + "."
    parts.append(p)
    size += len(p.encode()) + 2
open(out, "w", encoding="utf-8").write("\n\n".join(parts))
