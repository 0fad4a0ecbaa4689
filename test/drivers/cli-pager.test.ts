import { describe, expect, it } from 'vitest';
import { CliTransport, runThroughPager } from '../../lib/drivers/cli-driver';

/** Answers each send with the next scripted chunk, as a node's pty would. */
function scripted(chunks: string[]): CliTransport & { sent: string[] } {
  let buffer = '';
  const sent: string[] = [];
  return {
    sent,
    send(text) {
      sent.push(text);
      buffer += chunks.shift() ?? '';
    },
    async expect(pattern) {
      const m = new RegExp(pattern.source, pattern.flags).exec(buffer);
      if (!m) throw new Error(`no match in ${JSON.stringify(buffer)}`);
      const text = buffer.slice(0, m.index + m[0].length);
      buffer = buffer.slice(m.index + m[0].length);
      return { text, match: Object.assign(m, { index: m.index - 0 }) as RegExpExecArray };
    },
  };
}

describe('runThroughPager', () => {
  it('returns the answer without the echo and the prompt', async () => {
    const t = scripted(['utils service list\nCisco Tomcat[STARTED]\nadmin:']);
    expect(await runThroughPager(t, 'utils service list', 1000)).toBe('Cisco Tomcat[STARTED]\n');
  });

  it('pages through a long answer as a real node asks', async () => {
    const t = scripted([
      'show cert list trust\ntomcat-trust/a.pem: Trust Certificate\noptions: q=quit, n=next, p=prev, b=begin, e=end (lines 1 - 1 of 3) :',
      'tomcat-trust/b.pem: Trust Certificate\nPress <enter> for 1 line, <space> for one page, or <q> to quit',
      'tomcat-trust/c.pem: Trust Certificate\nadmin:',
    ]);
    const out = await runThroughPager(t, 'show cert list trust', 1000);
    expect(out.split('\n').filter(Boolean)).toEqual(['tomcat-trust/a.pem: Trust Certificate', 'tomcat-trust/b.pem: Trust Certificate', 'tomcat-trust/c.pem: Trust Certificate']);
    expect(t.sent).toEqual(['show cert list trust\n', 'n', ' ']);
  });
});
