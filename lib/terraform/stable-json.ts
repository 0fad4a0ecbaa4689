/**
 * JSON with keys sorted at every depth, as cdktf writes cdk.tf.json and manifest.json
 * (json-stable-stringify with `space: 2`): an empty list or mapping spans two lines, and
 * there is no trailing newline. Written here so `ucrollout plan` gives cdktf's bytes without cdktf.
 */
export function stableJson(value: unknown, space = '  '): string {
  return render(value, 0, space) ?? 'null';
}

function render(node: unknown, level: number, space: string): string | undefined {
  if (node !== null && typeof node === 'object' && typeof (node as { toJSON?: unknown }).toJSON === 'function') {
    node = (node as { toJSON: () => unknown }).toJSON();
  }
  if (node === undefined) return undefined;
  if (typeof node !== 'object' || node === null) return JSON.stringify(node);
  const indent = '\n' + space.repeat(level);
  const out: string[] = [];
  if (Array.isArray(node)) {
    for (const item of node) out.push(indent + space + (render(item, level + 1, space) ?? 'null'));
    return '[' + out.join(',') + indent + ']';
  }
  for (const key of Object.keys(node).sort()) {
    const value = render((node as Record<string, unknown>)[key], level + 1, space);
    if (value !== undefined) out.push(indent + space + JSON.stringify(key) + ': ' + value);
  }
  return '{' + out.join(',') + indent + '}';
}
