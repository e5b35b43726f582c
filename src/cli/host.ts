// What the bpffs command needs from the machine it runs on: files (objects to load, data_in),
// directories, and the mount's control file. nodeHost() is the real one; tests give one that
// reaches an in-process bpffs for the paths under its mount.

import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { nodeControlChannel, nodeErrno, type ControlChannel } from '../libbpf/ctl-client.ts';

export interface CliHost {
  exists(path: string): boolean;
  isDir(path: string): boolean;
  /** The canonical path of an existing path. */
  realpath(path: string): string;
  /** 0 or -errno. */
  mkdir(path: string, mode: number): number;
  readFile(path: string): Uint8Array;
  writeFile(path: string, bytes: Uint8Array): void;
  openControl(path: string): ControlChannel;
  /** BPFFS_MOUNT, the current directory. */
  env(name: string): string | undefined;
  cwd(): string;
  /** When the kernel behind a mount booted (its root was made then), in ms since the epoch. */
  bootTimeMs(root: string): number;
}

export function nodeHost(): CliHost {
  return {
    exists: (p) => existsSync(p) || lstatOk(p),
    isDir(p) {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    },
    realpath: (p) => realpathSync(p),
    mkdir(p, mode) {
      try {
        mkdirSync(p, mode);
        return 0;
      } catch (e) {
        return -nodeErrno(e);
      }
    },
    readFile(p) {
      const b = readFileSync(p);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
    writeFile: (p, bytes) => writeFileSync(p, bytes),
    openControl: (p) => nodeControlChannel(p),
    env: (name) => process.env[name],
    cwd: () => process.cwd(),
    bootTimeMs: (root) => statSync(root).ctimeMs,
  };
}

function lstatOk(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
