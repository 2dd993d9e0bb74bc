// One instance of each repeated value: flow keys repeat the same names,
// namespaces, policy names and label sets across thousands of keys, and each
// decoded copy would otherwise be a string (or array) of its own for as long
// as its key is remembered. Bounded: at `max` entries the table starts over
// (values already handed out stay valid; later ones are shared anew).

export class Interner {
  private strings = new Map<string, string>();
  private values = new Map<string, unknown>();

  constructor(private readonly max: number) {}

  /** The shared instance of a string equal to `value`. */
  string(value: string): string {
    const kept = this.strings.get(value);
    if (kept !== undefined) return kept;
    if (this.strings.size >= this.max) this.strings = new Map();
    this.strings.set(value, value);
    return value;
  }

  /** The shared value for `key`, made by `make` the first time (it must not be changed afterwards). */
  shared<T>(key: string, make: () => T): T {
    const kept = this.values.get(key);
    if (kept !== undefined) return kept as T;
    if (this.values.size >= this.max) this.values = new Map();
    const value = make();
    this.values.set(key, value);
    return value;
  }
}
