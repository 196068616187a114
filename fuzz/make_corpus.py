#!/usr/bin/env python3
"""Writes the seed corpus in fuzz/corpus/<target>/ (docs/fuzzing.md).

Small, hand-made inputs that each reach a different part of a parser: valid files the tests
also use, and a few that fail one check each. The files are committed; rerun this script only
to change them. The csv and idx targets read their first byte as options (see their sources).
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as out:
        out.write(data)


# --- frame: header = magic 0xA7, kind, 2 reserved zero bytes, u32 LE length ----------------
def frame(kind, payload=b"", length=None):
    n = len(payload) if length is None else length
    return bytes([0xA7, kind, 0, 0]) + struct.pack("<I", n) + payload


def hello(party, version=2):
    return struct.pack("<II", version, party) + bytes(range(32))


write("frame", "hello_data_bye", frame(1, hello(2)) + frame(2, b"\x01\x02\x03\x04") + frame(3))
write("frame", "hello_only_payload", hello(0))
write("frame", "hello_disagreement", frame(1, hello(1)) + frame(5, b'{"label":"label"}'))
write("frame", "data_empty_then_abort", frame(2) + frame(4, b"hospital-b: data error") + frame(3))
write("frame", "hello_wrong_version", frame(1, hello(1, version=7)))
write("frame", "hello_wrong_size", frame(1, hello(1)[:20], length=20))
write("frame", "bye_with_payload", frame(3, b"x"))
write("frame", "unknown_kind", frame(9, b"zz"))
write("frame", "oversized_length", frame(2, length=0xFFFFFFFF))
write("frame", "http_request", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
write("frame", "truncated_payload", frame(2, b"abc", length=100))

# --- config: consortium.toml next to keys/hospital-{a,b,c}.crt (config_fuzz makes them) -----
PARTY = '[[party]]\nname = "{0}"\nhost = "{1}"\nport = {2}\ncert = "keys/{0}.crt"\n\n'
DEALER = (
    'protocol = "additive"\ntriples = "dealer"\nmodel = "logreg"\nepochs = 7\nbatch = 16\n'
    'learning_rate = 0.25\nlabel = "diagnosis"\nsplit = "rows"\ntruncation = "pair"\n'
    'frac_bits = 18\nshuffle_seed = 99\nreceivers = ["hospital-a", "hospital-c"]\n'
    'timeout_s = 12\nconnect_timeout_s = 13\ntls = true\n'
    'dealer_seed = "00112233445566778899aabbccddeeff"\n\n'
)
THREE = (PARTY.format("hospital-a", "127.0.0.1", 7101) + PARTY.format("hospital-b", "127.0.0.1", 7102)
         + PARTY.format("hospital-c", "10.0.0.3", 7101))
TWO = PARTY.format("hospital-a", "127.0.0.1", 7101) + PARTY.format("hospital-b", "127.0.0.1", 7102)
write("config", "three_parties_dealer.toml", DEALER + THREE)
write("config", "two_parties_ot.toml",
      'triples = "ot"\ntruncation = "local"\nreceivers = ["hospital-b"]\ntls = false\n\n' + TWO)
write("config", "unknown_key.toml", DEALER.replace("epochs", "epoch") + THREE)
write("config", "missing_cert.toml", DEALER + TWO + PARTY.format("hospital-d", "h", 1))
write("config", "shared_port.toml", DEALER + TWO.replace("7102", "7101"))
write("config", "syntax_error.toml", DEALER.replace('= "rows"', '= rows') + THREE)
write("config", "bad_seed.toml", DEALER.replace("0011", "zz11") + THREE)

# --- csv: first byte = options (bit 0: no label, bit 1: id column "id", bit 2: label optional)
CSV = {
    "labelled": "\x00x1,x2,label\n1,2,0\n3.5,-4e2,1\n\n",
    "crlf": "\x00a, b ,label\r\n0.25, 1e-3 ,1\r\n",
    "with_id": "\x02id,age,label\np-17,54,1\np-18,61,0\n",
    "no_label": "\x01f0,f1,f2\n0,0,0\n1,1,1\n",
    "label_optional_absent": "\x04f0,f1\n5,6\n",
    "nan_cell": "\x00x,label\nnan,1\n",
    "inf_label": "\x00x,label\n1,inf\n",
    "empty_cell": "\x00x,y,label\n1,,0\n",
    "ragged_row": "\x00x,y,label\n1,2\n",
    "text_cell": "\x00x,label\nabc,0\n",
    "duplicate_column": "\x00x,x,label\n1,2,0\n",
    "header_only": "\x00x,label\n",
}
for name, text in CSV.items():
    write("csv", name, text)

# --- idx: first byte = options (bit 0: labels, bits 1-3: limit 0 none, 1-6, 7 the invalid 0)
def idx(magic, dims, data):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


IMAGES = idx(0x803, [2, 3, 3], range(0, 18 * 14, 14))
LABELS = idx(0x801, [4], [3, 1, 4, 1])
write("idx", "images_2x3x3", b"\x00" + IMAGES)
write("idx", "images_limit_1", b"\x02" + IMAGES)
write("idx", "images_limit_zero", b"\x0e" + IMAGES)
write("idx", "labels_4", b"\x01" + LABELS)
write("idx", "labels_limit_2", b"\x05" + LABELS)
write("idx", "images_truncated", b"\x00" + IMAGES[:-3])
write("idx", "images_extra_bytes", b"\x00" + IMAGES + b"\x00")
write("idx", "images_zero_dimension", b"\x00" + idx(0x803, [1, 0, 3], []))
write("idx", "labels_wrong_magic", b"\x01" + IMAGES)
write("idx", "short_header", b"\x00" + IMAGES[:9])


# --- bristol: a ripple-carry adder of n bits (n - 1 ANDs), and small edge cases ------------
def adder(n):
    gates, nxt = [], 2 * n

    def gate(kind, *ins):
        nonlocal nxt
        gates.append(f"{len(ins)} 1 {' '.join(map(str, ins))} {nxt} {kind}")
        nxt += 1
        return nxt - 1

    total, carry = [], None
    for i in range(n):
        a, b = i, n + i
        total.append(gate("XOR", a, b) if i == 0 else gate("XOR", gate("XOR", a, b), carry))
        if i + 1 < n:
            if i == 0:
                carry = gate("AND", a, b)
            else:  # majority(a, b, c) = ((a ^ c) & (b ^ c)) ^ c
                carry = gate("XOR", gate("AND", gate("XOR", a, carry), gate("XOR", b, carry)), carry)
    total = [gate("EQW", w) for w in total]
    return f"{len(gates)} {nxt}\n2 {n} {n}\n1 {n}\n\n" + "\n".join(gates) + "\n"


write("bristol", "adder4.txt", adder(4))
write("bristol", "adder64.txt", adder(64))
write("bristol", "mand_inv_eq.txt",
      "4 9\n1 4\n1 2\n\n4 2 0 1 2 3 4 5 MAND\n1 1 4 6 INV\n1 1 1 7 EQ\n2 1 6 7 8 XOR\n")
write("bristol", "read_before_write.txt", "1 4\n1 2\n1 1\n\n2 1 0 2 3 AND\n")
write("bristol", "wire_out_of_range.txt", "1 3\n1 2\n1 1\n\n2 1 0 1 9 XOR\n")
write("bristol", "too_few_gates.txt", "2 3\n1 2\n1 1\n\n2 1 0 1 2 XOR\n")
write("bristol", "unknown_gate.txt", "1 3\n1 2\n1 1\n\n2 1 0 1 2 NAND\n")
