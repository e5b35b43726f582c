// scripts/replay-commands DIR: every btf-pprint-style case folder of DIR run end to end through
// the bpffs command. For each case: `bpffs mount` in a temp dir (a child process, waited for
// until its control file appears), the case's commands.sh with BPFTOOL=bin/bpffs and BPFFS=the
// mount (it loads prog.o, updates the maps, cats them and dumps them with -j), then each map's
// cat output compared with expected/<map>.txt byte for byte (hashed pointers masked), its JSON
// with expected/<map>.json as JSON (entries as a multiset where the case says the order is
// random), and maps without BTF must have failed to cat. Unmounts after, also on failure.
// Prints each mismatch with a diff; ends with `N passed, M failed`; exit status 1 on failure.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BPFFS = join(ROOT, 'bin', 'bpffs');
/** A kernel pointer's hash as Linux prints it (see the golden README): masked on both sides. */
const PTR_MASK = /0x00000000(?!00000000)[0-9a-f]{8}/g;

interface CaseMap {
  name: string;
  btf_key_value: boolean;
  percpu?: boolean;
  entry_order_deterministic?: boolean;
  json_valid?: boolean;
}

export interface CaseOutcome {
  name: string;
  failures: string[];
}

export function caseDirs(dir: string): string[] {
  const root = resolve(existsSync(join(dir, 'cases')) ? join(dir, 'cases') : dir);
  return readdirSync(root)
    .map((n) => join(root, n))
    .filter((p) => statSync(p).isDirectory() && existsSync(join(p, 'commands.sh')))
    .sort();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** What a mount child wrote on stderr (the server's own errors). */
const mountStderr = new WeakMap<ChildProcess, string>();

/** `bpffs mount dir` as a child; resolves once the control file is there. */
async function mountChild(dir: string, nrCpus: number): Promise<ChildProcess> {
  const child = spawn(BPFFS, ['mount', dir, '-o', `nr_cpus=${nrCpus}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
    mountStderr.set(child, stderr);
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  for (let waited = 0; waited < 30_000; waited += 50) {
    if (exited) throw new Error(`bpffs mount exited: ${stderr.trim()}`);
    if (existsSync(join(dir, 'bpf.control'))) return child;
    await sleep(50);
  }
  child.kill('SIGTERM');
  throw new Error(`bpffs mount did not come up in 30 s: ${stderr.trim()}`);
}

async function unmountChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const done = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await Promise.race([done, sleep(10_000)]);
  }
  if (readFileSync('/proc/mounts', 'utf8').includes(` ${dir} `)) spawnSync(BPFFS, ['umount', dir]);
}

function runCommands(caseDir: string, mount: string, out: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    // cwd outside the mount: a child whose cwd is inside it would hold it busy.
    const sh = spawn('sh', [join(caseDir, 'commands.sh')], {
      cwd: tmpdir(),
      env: { ...process.env, BPFFS: mount, BPFTOOL: BPFFS, OUT: out },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    sh.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    sh.on('exit', (code) => done({ code: code ?? 1, stderr }));
  });
}

const latin1 = (f: string): string | undefined => (existsSync(f) ? readFileSync(f, 'latin1') : undefined);

/** cat's entries: one line each, or for a per-CPU map a `key: {` ... `}` block. */
function catEntries(text: string, percpu: boolean): string[] {
  const lines = text.split('\n');
  const head = lines.slice(0, 2);
  const body = lines.slice(2);
  if (!percpu) return [...head, ...body.sort()];
  const blocks: string[] = [];
  let cur: string[] = [];
  for (const l of body) {
    cur.push(l);
    if (l === '}') {
      blocks.push(cur.join('\n'));
      cur = [];
    }
  }
  if (cur.length) blocks.push(cur.join('\n'));
  return [...head, ...blocks.sort()];
}

function jsonEqual(expected: string, actual: string, unordered: boolean): boolean {
  let e: unknown;
  let a: unknown;
  try {
    e = JSON.parse(expected);
    a = JSON.parse(actual);
  } catch {
    return false;
  }
  if (unordered && Array.isArray(e) && Array.isArray(a)) {
    return JSON.stringify(e.map((x) => JSON.stringify(x)).sort()) === JSON.stringify(a.map((x) => JSON.stringify(x)).sort());
  }
  return JSON.stringify(e) === JSON.stringify(a);
}

/** A unified-ish diff: the lines that differ, numbered, at most 12 of them. */
export function lineDiff(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(e.length, a.length) && out.length < 24; i++) {
    if (e[i] === a[i]) continue;
    if (e[i] !== undefined) out.push(`    -${i + 1}: ${e[i]}`);
    if (a[i] !== undefined) out.push(`    +${i + 1}: ${a[i]}`);
  }
  return out.join('\n');
}

/** Compares what commands.sh wrote into out with the case's expected files. */
export function compareCase(caseDir: string, out: string): string[] {
  const failures: string[] = [];
  const info = JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')) as { maps: CaseMap[] };
  for (const m of info.maps) {
    const exp = (ext: string): string | undefined => latin1(join(caseDir, 'expected', `${m.name}.${ext}`));
    const act = (ext: string): string | undefined => latin1(join(out, `${m.name}.${ext}`));
    const ordered = m.entry_order_deterministic !== false;
    if (!m.btf_key_value || exp('errno') !== undefined) {
      if (act('cat_failed') === undefined) failures.push(`${m.name}: cat succeeded, expected ${exp('errno')?.trim() ?? 'a failure'}`);
    } else {
      const expected = (exp('txt') ?? '').replace(PTR_MASK, '0xPTRHASH');
      const actual = act('txt')?.replace(PTR_MASK, '0xPTRHASH');
      if (actual === undefined) failures.push(`${m.name}.txt: not written`);
      else {
        const percpu = m.percpu ?? /^\tcpu\d+: /m.test(expected);
        const ok = ordered ? expected === actual : catEntries(expected, percpu).join('\n') === catEntries(actual, percpu).join('\n');
        if (!ok) failures.push(`${m.name}.txt differs${ordered ? '' : ' (as a multiset)'}:\n${lineDiff(expected, actual)}`);
      }
    }
    const expJson = exp('json');
    if (expJson === undefined) continue;
    const actJson = act('json');
    if (actJson === undefined) failures.push(`${m.name}.json: not written`);
    else if (m.json_valid === false ? expJson !== actJson : !jsonEqual(expJson, actJson, !ordered)) {
      failures.push(`${m.name}.json differs:\n${lineDiff(expJson, actJson)}`);
    }
  }
  return failures;
}

/** One case end to end on a mount of its own. */
export async function replayCase(caseDir: string): Promise<CaseOutcome> {
  const name = caseDir.split('/').filter(Boolean).pop()!;
  const mount = mkdtempSync(join(tmpdir(), `bpffs-replay-${name}-`));
  const out = mkdtempSync(join(tmpdir(), `bpffs-replay-out-${name}-`));
  const info = JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')) as { nr_possible_cpus?: number };
  let child: ChildProcess | undefined;
  try {
    child = await mountChild(mount, info.nr_possible_cpus ?? 2);
    const r = await runCommands(caseDir, mount, out);
    if (r.code !== 0) {
      const server = mountStderr.get(child)?.trim();
      const tail = (t: string): string => t.split('\n').slice(-8).map((l) => `    ${l}`).join('\n');
      return { name, failures: [`commands.sh exited with ${r.code}:\n${tail(r.stderr.trim())}${server ? `\n  bpffs mount said:\n${tail(server)}` : ''}`] };
    }
    return { name, failures: compareCase(caseDir, out) };
  } catch (e) {
    return { name, failures: [e instanceof Error ? e.message : String(e)] };
  } finally {
    if (child) await unmountChild(child, mount);
    rmSync(mount, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

/** Every case of dir, `jobs` at a time; prints each mismatch and the summary line. */
export async function replayAll(dir: string, jobs = 4, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<{ passed: number; failed: number }> {
  const cases = caseDirs(dir);
  const results: CaseOutcome[] = new Array(cases.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(jobs, cases.length) }, async () => {
    for (let i = next++; i < cases.length; i = next++) results[i] = await replayCase(cases[i]!);
  }));
  let passed = 0;
  let failed = 0;
  for (const r of results) {
    if (r.failures.length === 0) passed++;
    else failed++;
    for (const f of r.failures) write(`FAIL ${r.name}: ${f}\n`);
  }
  write(`${passed} passed, ${failed} failed\n`);
  return { passed, failed };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: scripts/replay-commands DIR [JOBS]\n');
    process.exit(2);
  }
  const { failed } = await replayAll(dir, Number(process.argv[3] ?? 4));
  process.exit(failed ? 1 : 0);
}
