/** Operation names are the client's choice: label values stay a bounded set. */
const MAX_NAMES = 200;
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export class OperationNames {
  private readonly seen = new Set<string>();

  label(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.seen.has(name)) return name;
    if (!NAME.test(name) || this.seen.size >= MAX_NAMES) return 'other';
    this.seen.add(name);
    return name;
  }
}
