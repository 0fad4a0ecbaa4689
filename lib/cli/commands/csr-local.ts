/**
 * What both forms of `ucrollout csr` that make the key here share (a CUCM purpose for tests, a
 * Meeting Server service for its key file): the key options, and writing the key and the CSR.
 * A new key replaces the one that may be in use, so nothing is overwritten without --force, and
 * neither file is written through a symbolic link (a link could point anywhere).
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { EcCurve, GeneratedCsr, HashName, KeySpec, KeyType, RsaKeySize, SECRET_FILE_MODE, writeReplacingFile, writeSecretFile } from '../../pki';
import { CliError } from '../errors';

export interface LocalKeyArgs {
  readonly 'key-type'?: string;
  readonly 'key-size'?: string;
  readonly curve?: string;
  readonly hash?: string;
}

/** --key-type, --key-size, --curve, --hash as given (lib/pki checks the combination); keyType undefined: the rule's default. */
export function localKeyOptions(values: LocalKeyArgs): Partial<KeySpec> {
  const keySize = values['key-size'] === undefined ? undefined : Number(values['key-size']);
  if (keySize !== undefined && !Number.isInteger(keySize)) throw new CliError(`--key-size must be 2048, 3072 or 4096, got '${values['key-size']}'`);
  return {
    keyType: values['key-type']?.toUpperCase() as KeyType | undefined,
    keySize: keySize as RsaKeySize | undefined,
    curve: values.curve?.toUpperCase() as EcCurve | undefined,
    hash: values.hash?.toUpperCase() as HashName | undefined,
  };
}

export interface LocalCsrPaths {
  readonly csr: string;
  readonly key: string;
}

export function localCsrPaths(out: string, name: string): LocalCsrPaths {
  return { csr: join(out, `${name}.csr`), key: join(out, `${name}.key`) };
}

/** Before the key is made: an existing file (or a link, even a dangling one) is refused unless --force. */
export function refuseExisting(paths: LocalCsrPaths, force: boolean | undefined): void {
  if (force) return;
  for (const p of [paths.csr, paths.key]) {
    if (present(p)) throw new CliError(`${p} exists: a new key replaces the one that may be in use; move it away or pass --force`);
  }
}

/** The key 0600 and the CSR 0644, each into a new file renamed over the path. */
export function writeLocalCsr(paths: LocalCsrPaths, csr: GeneratedCsr): void {
  writeSecretFile(paths.key, csr.keyPem);
  writeReplacingFile(paths.csr, csr.csrPem, 0o644);
}

/** How the text output names the key file's mode. */
export const SECRET_MODE_TEXT = `mode ${SECRET_FILE_MODE.toString(8).padStart(4, '0')}: keep it out of the repository`;

function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
