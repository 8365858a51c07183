interface Slot<V> {
  value: V;
  /** Read or written since the sweep last passed it. */
  used: boolean;
}

/**
 * A map bounded by evicting what was not used recently: the "second chance" (CLOCK) approximation
 * of least-recently-used. A read only marks its entry; the sweep that makes room goes from the
 * oldest entry on, gives a marked entry another round (unmarked, to the back) and evicts the first
 * unmarked one. So a hit changes nothing in the map's own table: moving the entry to the back on
 * every read (delete and set) makes the table rehash every few thousand reads, and with a cache of
 * thousands of users each such table lived long enough to reach the old generation, where it was
 * collected by a full GC (issue 29).
 */
export class SecondChanceMap<V> {
  readonly #slots = new Map<string, Slot<V>>();

  get size(): number {
    return this.#slots.size;
  }

  /** The value, marked as used. */
  get(key: string): V | undefined {
    const slot = this.#slots.get(key);
    if (!slot) return undefined;
    slot.used = true;
    return slot.value;
  }

  /**
   * Sets the value. A new key goes to the back, unmarked: its first read marks it. A key already
   * there keeps its place and is marked as used.
   */
  set(key: string, value: V): void {
    const slot = this.#slots.get(key);
    if (slot) {
      slot.value = value;
      slot.used = true;
    } else {
      this.#slots.set(key, { value, used: false });
    }
  }

  delete(key: string): boolean {
    return this.#slots.delete(key);
  }

  clear(): void {
    this.#slots.clear();
  }

  /** Every entry, oldest first, without marking any (deleting the current one while iterating is safe). */
  *entries(): IterableIterator<[string, V]> {
    for (const [key, slot] of this.#slots) yield [key, slot.value];
  }

  /**
   * Evicts until at most `max` entries are left: from the oldest, an entry used since the last
   * sweep is unmarked and moved to the back, one that was not is evicted (`onEvict` hears of it).
   * Returns without evicting anything when the map is within `max` already.
   */
  evictTo(max: number, onEvict: (key: string) => void = () => undefined): void {
    while (this.#slots.size > max) {
      const oldest = this.#slots.entries().next().value;
      if (oldest === undefined) return;
      const [key, slot] = oldest;
      this.#slots.delete(key);
      if (slot.used) {
        slot.used = false;
        this.#slots.set(key, slot);
      } else {
        onEvict(key);
      }
    }
  }
}
