/**
 * `show cert list own|trust` in both formats (docs/node-interfaces.md):
 * release 15+ prints `tomcat-trust/Corp_Root_CA.pem: Trust Certificate` per line;
 * older releases print blocks of `Certificate Unit:` / `File:` / `Description:`.
 */

export interface CertListEntry {
  /** `tomcat`, `tomcat-trust`, `cup-xmpp-trust`. */
  readonly unit: string;
  /** The path `show cert` and `set cert delete` take: `tomcat-trust/Corp_Root_CA.pem`. */
  readonly file: string;
  readonly description: string;
}

const LINE = /^([^\s:/]+)\/([^\s:]+):\s*(.*)$/;
const FIELD = /^(Certificate Unit|File|Description)\s*:\s*(.*)$/i;

export function parseCertList(text: string): CertListEntry[] {
  const lines = text.replace(/\r/g, '').split('\n').map((l) => l.trim());
  return lines.some((l) => /^Certificate Unit\s*:/i.test(l)) ? parseBlocks(lines) : parseLines(lines);
}

function parseLines(lines: readonly string[]): CertListEntry[] {
  const out: CertListEntry[] = [];
  for (const line of lines) {
    const m = LINE.exec(line);
    if (m) out.push({ unit: m[1], file: `${m[1]}/${m[2]}`, description: m[3].trim() });
  }
  return out;
}

function parseBlocks(lines: readonly string[]): CertListEntry[] {
  const out: CertListEntry[] = [];
  let unit = '';
  let file = '';
  let description = '';
  const flush = (): void => {
    if (unit && file) out.push({ unit, file: file.includes('/') ? file : `${unit}/${file}`, description });
    unit = file = description = '';
  };
  for (const line of lines) {
    const m = FIELD.exec(line);
    if (!m) {
      if (line === '') flush();
      continue;
    }
    const key = m[1].toLowerCase();
    // A new unit line without a blank line before it still starts a new block.
    if (key === 'certificate unit') {
      flush();
      unit = m[2].trim();
    } else if (key === 'file') file = m[2].trim();
    else description = m[2].trim();
  }
  flush();
  return out;
}
