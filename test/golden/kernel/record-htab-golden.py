#!/usr/bin/env python3
# Records how a real kernel's hash maps order and evict their elements, for
# test/kernel/maps/hashtab.test.ts and lru.test.ts: each scenario is a list of
# bpf() element operations on a BPF_F_ZERO_SEED map, run pinned to CPU 0, with
# every operation's result and the map's contents in get_next_key order after.
# Run as root on the reference kernel: python3 record-htab-golden.py > htab-golden.json
import ctypes, json, os, platform, random, struct

libc = ctypes.CDLL(None, use_errno=True)
SYS_bpf = 321
MAP_CREATE, LOOKUP, UPDATE, DELETE, NEXT_KEY, LOOKUP_BATCH = 0, 1, 2, 3, 4, 24
HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH = 1, 5, 9, 10
NO_COMMON_LRU, ZERO_SEED, NO_PREALLOC = 2, 64, 1
NCPUS = os.cpu_count()


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), 168)
    r = libc.syscall(SYS_bpf, cmd, buf, 168)
    return (r if r >= 0 else -ctypes.get_errno()), buf.raw


def ptr(b):
    return ctypes.addressof(b)


class Map:
    def __init__(self, mtype, ksize, vsize, maxe, flags):
        self.ksize, self.vsize = ksize, vsize
        self.vlen = ((vsize + 7) // 8 * 8) * NCPUS if mtype in (PERCPU_HASH, LRU_PERCPU_HASH) else vsize
        self.fd, _ = bpf(MAP_CREATE, struct.pack('<IIIII', mtype, ksize, vsize, maxe, flags))
        assert self.fd >= 0, self.fd

    def update(self, key, value, flags=0):
        k = ctypes.create_string_buffer(key, self.ksize)
        v = ctypes.create_string_buffer(value, self.vlen)
        return bpf(UPDATE, struct.pack('<IIQQQ', self.fd, 0, ptr(k), ptr(v), flags))[0]

    def delete(self, key):
        k = ctypes.create_string_buffer(key, self.ksize)
        return bpf(DELETE, struct.pack('<IIQ', self.fd, 0, ptr(k)))[0]

    def dump(self):
        out, prev = [], None
        while True:
            k = ctypes.create_string_buffer(prev or b'', self.ksize)
            n = ctypes.create_string_buffer(self.ksize)
            r = bpf(NEXT_KEY, struct.pack('<IIQQ', self.fd, 0, ptr(k) if prev else 0, ptr(n)))[0]
            if r:
                return out
            prev = n.raw
            v = ctypes.create_string_buffer(self.vlen)
            kk = ctypes.create_string_buffer(prev, self.ksize)
            assert bpf(LOOKUP, struct.pack('<IIQQQ', self.fd, 0, ptr(kk), ptr(v), 0))[0] == 0
            out.append([prev.hex(), v.raw.hex()])

    def batches(self, count):
        """lookup_batch from the start with `count`: [result, count, out_batch, keys] per call."""
        res, inb = [], None
        while True:
            ib = ctypes.create_string_buffer(struct.pack('<I', inb or 0), 4)
            ob = ctypes.create_string_buffer(4)
            ks = ctypes.create_string_buffer(self.ksize * count)
            vs = ctypes.create_string_buffer(self.vlen * count)
            r, raw = bpf(LOOKUP_BATCH, struct.pack('<QQQQIIQQ', ptr(ib) if inb is not None else 0, ptr(ob),
                                                   ptr(ks), ptr(vs), count, self.fd, 0, 0))
            n = struct.unpack_from('<I', raw, 32)[0]
            res.append([r, n, struct.unpack('<I', ob.raw)[0], ks.raw[:n * self.ksize].hex()])
            if r or len(res) > 10000:
                return res
            inb = struct.unpack('<I', ob.raw)[0]


def scenario(name, mtype, ksize, vsize, maxe, flags, ops, batch=None):
    m = Map(mtype, ksize, vsize, maxe, flags)
    results = []
    for op in ops:
        key = bytes.fromhex(op[1])
        if op[0] == 'u':
            results.append(m.update(key, bytes.fromhex(op[2]), op[3]))
        else:
            results.append(m.delete(key))
    s = {'name': name, 'map_type': mtype, 'key_size': ksize, 'value_size': vsize, 'max_entries': maxe,
         'map_flags': flags, 'ops': ops, 'results': results, 'dump': m.dump()}
    if batch:
        s['batch_count'] = batch
        s['batches'] = m.batches(batch)
    os.close(m.fd)
    return s


def u32(n):
    return struct.pack('<I', n).hex()


def lru_ops(rng, nkeys, nops, vlen):
    """Mostly new keys, some re-updates of recent ones (they set the ref bit), a few deletes."""
    ops, live = [], []
    for i in range(nops):
        r = rng.random()
        if live and r < 0.2:
            k = rng.choice(live[-nkeys:])
            ops.append(['u', k, (u32(i) * (vlen // 4 + 1))[:vlen * 2], 0])
        elif live and r < 0.27:
            k = rng.choice(live[-nkeys:])
            ops.append(['d', k])
        else:
            k = u32(rng.randrange(1 << 32))
            live.append(k)
            ops.append(['u', k, (u32(i) * (vlen // 4 + 1))[:vlen * 2], 0])
    return ops


def main():
    os.sched_setaffinity(0, {0})
    rng = random.Random(1)
    out = {'kernel': platform.release(), 'nr_cpus': NCPUS, 'scenarios': []}
    sc = out['scenarios']
    # Plain hash: bucket order with keys of every size from 1 to 13 bytes, replacing updates.
    for ks in (1, 2, 3, 4, 5, 7, 8, 12, 13):
        ops = []
        for i in range(40):
            k = bytes(rng.randrange(256) for _ in range(ks)).hex()
            ops.append(['u', k, u32(i) * 2, 0])
            if i % 5 == 4:
                ops.append(['u', ops[i // 2][1], u32(1000 + i) * 2, 0])
        sc.append(scenario(f'hash_k{ks}', HASH, ks, 8, 32, ZERO_SEED, ops, batch=3))
    ops = [['u', u32(i * 7919), u32(i), 0] for i in range(300)] + [['d', u32(i * 7919)] for i in range(0, 300, 3)]
    sc.append(scenario('hash_noprealloc', HASH, 4, 4, 256, ZERO_SEED | NO_PREALLOC, ops, batch=5))
    pv = (u32(1) * 2 + u32(2) * 2)
    sc.append(scenario('percpu_hash', PERCPU_HASH, 4, 8, 64, ZERO_SEED,
                       [['u', u32(i * 31), pv, 0] for i in range(80)], batch=4))
    # LRU: eviction order.
    for maxe, nops in ((8, 60), (40, 200), (300, 1500), (1000, 3000)):
        sc.append(scenario(f'lru_common_{maxe}', LRU_HASH, 4, 4, maxe, ZERO_SEED, lru_ops(rng, maxe, nops, 4)))
    for maxe, nops in ((8, 60), (64, 300)):
        sc.append(scenario(f'lru_percpu_list_{maxe}', LRU_HASH, 4, 4, maxe, ZERO_SEED | NO_COMMON_LRU,
                           lru_ops(rng, maxe, nops, 4)))
    sc.append(scenario('lru_percpu_hash_40', LRU_PERCPU_HASH, 4, 8, 40, ZERO_SEED, lru_ops(rng, 40, 200, 16)))
    print(json.dumps(out, separators=(',', ':')))


main()
