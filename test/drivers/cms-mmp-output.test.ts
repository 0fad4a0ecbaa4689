/**
 * The MMP output the CMS steps read (docs/cms.md "MMP output the checks read"), on captured
 * text: the prompt and echo, the planner's own expressions against each wording, and the
 * MMP's failure lines.
 */
import { describe, expect, it } from 'vitest';
import {
  MMP_PROMPT,
  allMatch,
  isReadOnlyMmpCommand,
  isSlowMmpCommand,
  judgeMmpOutput,
  mmpFailureLine,
  outputExcerpt,
  stripMmpEcho,
} from '../../lib/drivers/mmp-output';
import { PKI_CHECKS, SERVICE_ENABLED } from '../../lib/platforms/cms/certificate-plan';
import { CONNECTED_PRIMARY, PRIMARY_LINE } from '../../lib/platforms/cms/database-plan';
import { fileNamePattern } from '../../lib/platforms/cms/graph';

const PKI_LIST = [
  'User supplied certificates and keys:',
  'webadmin-1a2b3c4d.key',
  'webadmin-1a2b3c4d.csr',
  'callbridge-6bfd392a.crt    callbridge-6bfd392a-bundle.crt',
  'dbca.crt',
].join('\n');

describe('the MMP prompt and echo', () => {
  it('finds the prompt only at the end of the output, on a line of its own', () => {
    expect(MMP_PROMPT.test('Welcome\ncms1> ')).toBe(true);
    expect(MMP_PROMPT.test('cms1>')).toBe(true);
    expect(MMP_PROMPT.test('pki list\nwebadmin.key\nacano> ')).toBe(true);
    expect(MMP_PROMPT.test('cms1> pki list\nwebadmin.key')).toBe(false);
    expect(MMP_PROMPT.test('Key file : a.key > b')).toBe(false);
  });

  it('drops the echoed command line', () => {
    expect(stripMmpEcho('pki list\r\nwebadmin.key\n'.replace(/\r/g, ''), 'pki list')).toBe('webadmin.key\n');
    expect(stripMmpEcho('\nwebadmin.key\n', 'pki list')).toBe('\nwebadmin.key\n');
  });
});

describe("the planner's expressions against the documented wording", () => {
  it('pki list: a file name is a whole word, not a prefix or part of another name', () => {
    expect(allMatch(PKI_LIST, [fileNamePattern('webadmin-1a2b3c4d.key'), fileNamePattern('webadmin-1a2b3c4d.csr')])).toBe(true);
    expect(allMatch(PKI_LIST, [fileNamePattern('callbridge-6bfd392a.crt')])).toBe(true);
    expect(allMatch(PKI_LIST, [fileNamePattern('callbridge-6bfd392a.key')])).toBe(false);
    expect(allMatch(PKI_LIST, [fileNamePattern('webadmin-1a2b3c4.key')])).toBe(false);
    expect(allMatch('Key file : xmpp-a1e052d1.key', [fileNamePattern('xmpp-a1e052d1.key')])).toBe(true);
    expect(allMatch('Key file:xmpp-a1e052d1.key', [fileNamePattern('xmpp-a1e052d1.key')])).toBe(true);
  });

  it('pki inspect: valid passes, expired and not yet valid are rejected', () => {
    const ok = 'Certificate: cms1.crt\n  Subject: CN=cms1.example.com\n  Validity: Jan 1 2026 to Jan 1 2027\n';
    expect(judgeMmpOutput(ok, PKI_CHECKS.inspect)).toEqual({ ok: true });
    expect(judgeMmpOutput(`${ok}  Certificate has expired\n`, PKI_CHECKS.inspect)).toMatchObject({ ok: false, rejected: ['\\bexpired\\b'] });
    expect(judgeMmpOutput(`${ok}  not yet valid\n`, PKI_CHECKS.inspect)).toMatchObject({ ok: false, rejected: ['not yet valid'] });
  });

  it('pki match: "Key and certificate match" passes, "do not match" is rejected', () => {
    expect(judgeMmpOutput('Key and certificate match\n', PKI_CHECKS.match)).toEqual({ ok: true });
    expect(judgeMmpOutput('Key and certificate do not match\n', PKI_CHECKS.match)).toMatchObject({ ok: false, rejected: ['(do|does|did) not match'] });
  });

  it('pki verify: ok / verified / valid pass; fail, error, unable, invalid are rejected', () => {
    for (const good of ['Certificate verified OK', 'verification ok', 'Certificate is valid']) expect(judgeMmpOutput(good, PKI_CHECKS.verify), good).toEqual({ ok: true });
    for (const bad of ['Certificate verification failed', 'error 20: unable to get local issuer certificate', 'Certificate invalid', 'Unable to verify: not valid'])
      expect(judgeMmpOutput(bad, PKI_CHECKS.verify).ok, bad).toBe(false);
  });

  it('service status: enabled and the configured files', () => {
    const status = ['Enabled                 : true', 'TLS listening interface : a', 'Key file                : webadmin-1a2b3c4d.key', 'Certificate file        : webadmin-1a2b3c4d.crt', 'CA Bundle file          : webadmin-1a2b3c4d-bundle.crt'].join('\n');
    const done = [fileNamePattern('webadmin-1a2b3c4d.key'), fileNamePattern('webadmin-1a2b3c4d.crt'), SERVICE_ENABLED];
    expect(allMatch(status, done)).toBe(true);
    expect(allMatch(status.replace('true', 'false'), done)).toBe(false);
    expect(allMatch(status.replace(/1a2b3c4d/g, '99999999'), done)).toBe(false);
  });

  it('database cluster status: this server as (Connected) Primary, in both documented forms', () => {
    const named = 'Status              : Enabled\nNodes:\n    Node: (me): Connected Primary\n    10.0.0.2 : Connected Replica\n';
    const addressed = 'Nodes:\n    10.0.0.1 (me) : Connected Primary\n    10.0.0.2 : Connected Replica\n';
    for (const out of [named, addressed]) {
      expect(allMatch(out, [PRIMARY_LINE]), out).toBe(true);
      expect(judgeMmpOutput(out, { expect: [CONNECTED_PRIMARY] }), out).toEqual({ ok: true });
    }
    // a replica's view, and a primary not connected yet
    expect(allMatch('Nodes:\n    10.0.0.1 : Connected Primary\n    10.0.0.2 (me) : Connected Replica\n', [PRIMARY_LINE])).toBe(false);
    expect(judgeMmpOutput('Nodes:\n    10.0.0.1 (me) : Initializing Primary\n', { expect: [CONNECTED_PRIMARY] })).toMatchObject({ ok: false, missing: [CONNECTED_PRIMARY] });
  });
});

describe('failure lines of the MMP', () => {
  it('fails a command without reject of its own on the MMP refusing it', () => {
    expect(mmpFailureLine('Failure: key and certificate do not match\n')).toBe('Failure: key and certificate do not match');
    expect(mmpFailureLine('ERROR: no such file webadmin.crt\n')).toBe('ERROR: no such file webadmin.crt');
    expect(mmpFailureLine('Unknown command: frobnicate\n')).toBe('Unknown command: frobnicate');
    expect(mmpFailureLine('usage: pki csr <basename> CN:<value> ...\n')).toBe('usage: pki csr <basename> CN:<value> ...');
    expect(judgeMmpOutput('database cluster initialize\nFailure: this node is not the primary\n', {})).toMatchObject({ ok: false, failureLine: 'Failure: this node is not the primary' });
  });

  it('does not take ordinary output for a failure', () => {
    for (const out of ['SUCCESS: Key and certificate pair match', 'Key file : webadmin.key', 'Nodes:\n  10.0.0.1 (me) : Connected Primary', 'Restarting callbridge\nDone', 'webadmin-error-pages.crt'])
      expect(mmpFailureLine(out), out).toBeUndefined();
  });

  it("leaves a command with expressions of its own to the plan's expressions", () => {
    // pki verify's reject list already names 'error': the generic line check is not doubled
    expect(judgeMmpOutput('error 20 at 0 depth lookup: unable to get local issuer certificate', PKI_CHECKS.verify)).toMatchObject({ ok: false, failureLine: undefined });
    // a status the plan waits on may carry a Failure row of an earlier attempt: its expect decides
    expect(judgeMmpOutput('Nodes:\n    cms1.example.com (me)   : Connected Primary\nFailure             : an earlier join timed out\n', { expect: ['\\(me\\)\\s*:\\s*Connected Primary'] })).toEqual({ ok: true });
  });

  it('refuses a plan expression that does not compile, naming it', () => {
    expect(() => judgeMmpOutput('x', { expect: ['(unclosed'] })).toThrow(/the plan's expression "\(unclosed" is not a valid JavaScript regular expression/);
  });
});

describe('command classes', () => {
  it('reads only with pki list/inspect/match/verify, a status and the service status', () => {
    for (const c of ['pki list', 'pki inspect a.crt', 'pki match a.key a.crt', 'pki verify a.crt b.crt', 'database cluster status', 'webadmin', 'callbridge']) expect(isReadOnlyMmpCommand(c), c).toBe(true);
    for (const c of ['pki csr a CN:x', 'webadmin disable', 'callbridge restart', 'database cluster remove', 'pki sign dbserver dbca']) expect(isReadOnlyMmpCommand(c), c).toBe(false);
  });

  it('gives restarts and database cluster changes the long timeout', () => {
    for (const c of ['callbridge restart', 'database cluster initialize', 'database cluster join cms1.example.com', 'database cluster connect cms1.example.com', 'database cluster remove']) expect(isSlowMmpCommand(c), c).toBe(true);
    for (const c of ['pki list', 'webadmin enable', 'database cluster status', 'database cluster certs a b c']) expect(isSlowMmpCommand(c), c).toBe(false);
  });

  it('quotes output on one short line for messages', () => {
    expect(outputExcerpt('a\n  b\n')).toBe('"a | b"');
    expect(outputExcerpt('x'.repeat(400), 10)).toBe(`"${'x'.repeat(10)}…"`);
  });
});
