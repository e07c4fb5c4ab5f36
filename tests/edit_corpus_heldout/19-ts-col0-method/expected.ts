type Listener<T> = (payload: T) => void;

export class EventBus<Events extends Record<string, unknown>> {
  private listeners: { [K in keyof Events]?: Listener<Events[K]>[] } = {};

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const list = this.listeners[event] ?? [];
    list.push(listener);
    this.listeners[event] = list;
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const list = this.listeners[event];
    if (!list) return;
    this.listeners[event] = list.filter((l) => l !== listener);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = [...(this.listeners[event] ?? [])];
    for (const listener of list) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`listener for ${String(event)} failed`, error);
      }
    }
  }
}
