type Listener<S> = (state: S) => void;

export class Store<S extends object> {
  private state: S;
  private listeners = new Set<Listener<S>>();

  constructor(initial: S) {
    this.state = initial;
  }

  get(): S {
    return this.state;
  }

  set(patch: Partial<S>): void {
    const next = { ...this.state, ...patch };
    const changed = (Object.keys(patch) as (keyof S)[]).some((key) => next[key] !== this.state[key]);
    if (!changed) {
      return;
    }
    this.state = next;
    this.listeners.forEach((listener) => listener(this.state));
  }

  subscribe(listener: Listener<S>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
