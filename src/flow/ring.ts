// A fixed-capacity FIFO. push never fails: when full, the oldest item is
// pushed out and returned, so the caller can count it.

export class Ring<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.length;
  }

  /** Adds item; returns the item dropped to make room, if any. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.length === this.capacity) {
      dropped = this.items[this.head];
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.length--;
    }
    this.items[(this.head + this.length) % this.capacity] = item;
    this.length++;
    return dropped;
  }

  /** Removes and returns up to max items, oldest first. */
  take(max: number): T[] {
    const count = Math.min(max, this.length);
    const taken = new Array<T>(count);
    for (let i = 0; i < count; i++) {
      taken[i] = this.items[this.head] as T;
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.length -= count;
    return taken;
  }

  forEach(visit: (item: T) => void): void {
    for (let i = 0; i < this.length; i++) visit(this.items[(this.head + i) % this.capacity] as T);
  }
}
