/**
 * DependencyGraph: deterministic order (waves by depth, ids sorted within a wave) and cycles
 * reported as `a => b => a`.
 */
import { describe, expect, it } from 'vitest';
import { DependencyGraph } from '../../lib/platforms';

function graph(items: string[], edges: [string, string][]): DependencyGraph<string> {
  const g = new DependencyGraph<string>();
  for (const i of items) g.add(i, i);
  for (const [id, dep] of edges) g.depend(id, dep);
  return g;
}

describe('DependencyGraph', () => {
  it('orders by wave, then by id', () => {
    // GIVEN c and b depend on a, d depends on b
    const g = graph(['d', 'c', 'b', 'a'], [['c', 'a'], ['b', 'a'], ['d', 'b']]);
    // WHEN ordered
    // THEN a (wave 0), b and c (wave 1, sorted), d (wave 2)
    expect(g.order()).toEqual(['a', 'b', 'c', 'd']);
    expect([...g.waves()].sort()).toEqual([['a', 0], ['b', 1], ['c', 1], ['d', 2]]);
  });

  it('puts an item after its deepest dependency', () => {
    // GIVEN z depends on a (wave 0) and on y (wave 1)
    const g = graph(['z', 'y', 'a', 'x'], [['y', 'x'], ['z', 'a'], ['z', 'y']]);
    // WHEN ordered
    // THEN z is in wave 2, after y
    expect(g.order()).toEqual(['a', 'x', 'y', 'z']);
    expect(g.waves().get('z')).toBe(2);
  });

  it('gives the same order whatever the insertion order', () => {
    // GIVEN the same graph built in two insertion orders
    const edges: [string, string][] = [['b', 'a'], ['c', 'a'], ['d', 'c'], ['e', 'b']];
    const one = graph(['a', 'b', 'c', 'd', 'e'], edges);
    const two = graph(['e', 'd', 'c', 'b', 'a'], [...edges].reverse());
    // WHEN ordered
    // THEN identical
    expect(two.order()).toEqual(one.order());
    expect(one.order()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('lists dependencies sorted', () => {
    // GIVEN x depends on c, a, b (in that order)
    const g = graph(['x', 'a', 'b', 'c'], [['x', 'c'], ['x', 'a'], ['x', 'b']]);
    // WHEN asked THEN sorted
    expect(g.dependencies('x')).toEqual(['a', 'b', 'c']);
  });

  it('reports a two-step cycle as a => b => a', () => {
    // GIVEN a depends on b and b on a
    const g = graph(['a', 'b'], [['a', 'b'], ['b', 'a']]);
    // WHEN ordered THEN the cycle is named
    expect(() => g.order()).toThrow('Dependency cycle: a => b => a');
  });

  it('reports a longer cycle with its path', () => {
    // GIVEN a → b → c → a, plus an unrelated item
    const g = graph(['c', 'b', 'a', 'free'], [['a', 'b'], ['b', 'c'], ['c', 'a']]);
    // WHEN ordered THEN the cycle path is named from its first id
    expect(() => g.order()).toThrow('Dependency cycle: a => b => c => a');
  });

  it('ignores a dependency of an item on itself', () => {
    // GIVEN a depends on a
    const g = graph(['a'], [['a', 'a']]);
    // WHEN ordered THEN no cycle
    expect(g.order()).toEqual(['a']);
  });

  it('refuses duplicate ids and unknown steps', () => {
    // GIVEN a graph with a
    const g = graph(['a'], []);
    // WHEN a is added again or linked to an unknown step THEN errors name them
    expect(() => g.add('a', 'a')).toThrow(/Duplicate step id 'a'/);
    expect(() => g.depend('a', 'zz')).toThrow(/depends on unknown step 'zz'/);
    expect(() => g.depend('zz', 'a')).toThrow(/Unknown step 'zz'/);
    expect(() => g.get('zz')).toThrow(/Unknown step 'zz'/);
  });
});
