#!/usr/bin/env python3
# Records how a real kernel lays out BPF ring buffer records: builds ringbuf-output.bpf.c
# (clang -target bpf), loads it with bpftool, runs it with BPF_PROG_TEST_RUN (bpftool prog
# run) once per planned record, and reads the ring through mmap() as libbpf does: the
# consumer page read-write at offset 0, the producer page and the data (mapped twice) read-only
# after it. Writes ringbuf-golden.json: producer/consumer positions after every step, and each
# record's position, header (len with BUSY/DISCARD bits, pg_off) and data.
# Needs root, clang, bpftool. Run: sudo python3 record-ringbuf-golden.py
import ctypes, json, mmap, os, struct, subprocess, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PIN = '/sys/fs/bpf/ringbuf_golden'
MAX_ENTRIES = 4096
libc = ctypes.CDLL(None, use_errno=True)


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 168)
    r = libc.syscall(321, cmd, buf, 168)  # __NR_bpf on x86-64
    if r < 0:
        raise OSError(ctypes.get_errno(), 'bpf')
    return r


def main():
    tmp = tempfile.mkdtemp()
    obj = os.path.join(tmp, 'ringbuf-output.bpf.o')
    subprocess.run(['clang', '-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu',
                    '-c', os.path.join(HERE, 'ringbuf-output.bpf.c'), '-o', obj], check=True)
    subprocess.run(['rm', '-rf', PIN], check=True)
    os.mkdir(PIN)
    try:
        subprocess.run(['bpftool', 'prog', 'load', obj, PIN + '/prog', 'pinmaps', PIN], check=True)
        path = ctypes.create_string_buffer((PIN + '/rb').encode())
        fd = bpf(7, struct.pack('<QII', ctypes.addressof(path), 0, 0))  # BPF_OBJ_GET
        cons = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0)
        prod = mmap.mmap(fd, 4096 + 2 * MAX_ENTRIES, mmap.MAP_SHARED, mmap.PROT_READ, offset=4096)

        def pos():
            return [struct.unpack('<Q', cons[0:8])[0], struct.unpack('<Q', prod[0:8])[0]]

        def run(n):
            data_in = os.path.join(tmp, 'in')
            with open(data_in, 'wb') as f:
                f.write(bytes(14 + n))  # skb->len is what follows the Ethernet header
            subprocess.run(['bpftool', 'prog', 'run', 'pinned', PIN + '/prog', 'data_in', data_in],
                           check=True, capture_output=True)

        def consume():
            c, p = pos()
            recs = []
            while c < p:
                off = 4096 + (c & (MAX_ENTRIES - 1))
                ln, pg = struct.unpack('<II', prod[off:off + 8])
                size = ln & 0x3fffffff
                recs.append({'pos': c, 'len': ln, 'pg_off': pg, 'data': prod[off + 8:off + 8 + size].hex()})
                c += (size + 8 + 7) & ~7
            cons[0:8] = struct.pack('<Q', c)
            return recs

        # Alignment cases, a discard (n > 200), records that wrap around the ring, more than
        # fit (the program ignores the failed output), then a ring filled to exactly 4088 bytes
        # ahead of the consumer, where even an empty record (8 bytes) no longer fits.
        plan = ([0, 1, 7, 8, 9, 16, 255, 100, 'consume'] + [200, 180, 'consume'] * 12 +
                [200] * 25 + ['consume'] + [200] * 19 + [128, 0, 'consume'])
        steps = []
        for s in plan:
            if s == 'consume':
                recs = consume()
                steps.append({'op': 'consume', 'records': recs, 'pos': pos()})
            else:
                run(s)
                steps.append({'op': 'run', 'n': s, 'pos': pos()})
        out = {'kernel': os.uname().release, 'max_entries': MAX_ENTRIES, 'steps': steps}
        with open(os.path.join(HERE, 'ringbuf-golden.json'), 'w') as f:
            # One step a line, so that a diff shows which step changed.
            head = json.dumps({k: v for k, v in out.items() if k != 'steps'})[:-1]
            f.write(head + ', "steps": [\n' + ',\n'.join(json.dumps(s) for s in steps) + '\n]}\n')
    finally:
        subprocess.run(['rm', '-rf', PIN], check=True)


if __name__ == '__main__':
    main()
