/** A set of ids that forgets the oldest once full, so unanswered ids cannot pile up. */
export class BoundedIdSet {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }

  /** True when the id was there (and is now gone). */
  delete(id: string): boolean {
    return this.ids.delete(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
