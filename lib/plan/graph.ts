/**
 * A dependency graph of named items with a deterministic order: waves by depth, ids sorted
 * within a wave. A cycle is reported as `a => b => c => a`.
 */
export class DependencyGraph<T> {
  private readonly items = new Map<string, T>();
  private readonly edges = new Map<string, Set<string>>();

  add(id: string, item: T): void {
    if (this.items.has(id)) throw new Error(`Duplicate step id '${id}': the planner made two steps with the same id`);
    this.items.set(id, item);
    this.edges.set(id, new Set());
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  /** Every id, sorted. */
  ids(): string[] {
    return [...this.items.keys()].sort();
  }

  /** `id` runs after `dependency`. */
  depend(id: string, dependency: string): void {
    if (!this.items.has(id)) throw new Error(`Unknown step '${id}'`);
    if (!this.items.has(dependency)) throw new Error(`Step '${id}' depends on unknown step '${dependency}'`);
    if (id !== dependency) this.edges.get(id)!.add(dependency);
  }

  dependencies(id: string): string[] {
    return [...(this.edges.get(id) ?? [])].sort();
  }

  get(id: string): T {
    const item = this.items.get(id);
    if (item === undefined) throw new Error(`Unknown step '${id}'`);
    return item;
  }

  /** Depth of every id: 0 for no dependencies, else 1 + the deepest dependency. Throws on a cycle. */
  waves(): Map<string, number> {
    const depth = new Map<string, number>();
    const visiting: string[] = [];
    const onPath = new Set<string>();
    const visit = (id: string): number => {
      const known = depth.get(id);
      if (known !== undefined) return known;
      if (onPath.has(id)) {
        const cycle = [...visiting.slice(visiting.indexOf(id)), id];
        throw new Error(`Dependency cycle: ${cycle.join(' => ')}`);
      }
      onPath.add(id);
      visiting.push(id);
      let d = 0;
      for (const dep of this.dependencies(id)) d = Math.max(d, visit(dep) + 1);
      visiting.pop();
      onPath.delete(id);
      depth.set(id, d);
      return d;
    };
    for (const id of [...this.items.keys()].sort()) visit(id);
    return depth;
  }

  /** Ids in execution order: by wave, then by id. */
  order(): string[] {
    const depth = this.waves();
    return [...this.items.keys()].sort((a, b) => depth.get(a)! - depth.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
  }
}
