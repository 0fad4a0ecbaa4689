/** Files the user names are read bounded: /dev/zero as a certificate fails at once, it does not fill memory. */
import { describe, expect, it } from 'vitest';
import { Declarations } from '../../lib/model';
import { lintAll, prepareClusterPlan } from '../../lib/platforms';
import { readBounded } from '../../lib/pki/bounded-read';
import { labCluster } from './support';

const ZERO: Declarations = {
  clusters: [labCluster()],
  certificateAuthorities: [{ name: 'corp', root: '/dev/zero', intermediates: [] }],
  certificates: [{ cluster: 'lab', purpose: 'tomcat', distribution: 'multi-server', certificate: '/dev/zero', ca: 'corp' }],
  trustEntries: [],
};

describe('bounded reads', () => {
  it('readBounded refuses /dev/zero past the limit with EFBIG', () => {
    expect(() => readBounded('/dev/zero', 4096)).toThrow(expect.objectContaining({ code: 'EFBIG' }));
    expect(readBounded('/dev/null')).toEqual(Buffer.alloc(0));
  });

  it('lint reports a /dev/zero certificate as unreadable (EFBIG)', () => {
    const findings = lintAll(ZERO, { baseDir: '/' });
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.filter((f) => /EFBIG|larger than/.test(f.message)).length).toBeGreaterThan(0);
  });

  it('plan refuses it with a clear error', () => {
    expect(() => prepareClusterPlan(ZERO, 'lab', { baseDir: '/', planDir: '/tmp' })).toThrow(/EFBIG|larger than/);
  });
});
