class TodoStore {
  constructor(storage = window.localStorage) {
    this.storage = storage;
    this.key = 'todos';
  }

  load() {
    const raw = this.storage.getItem(this.key);
    if (!raw) {
      return [];
    }
    try {
      return JSON.parse(raw);
    } catch {
      return [];
    }
  }

  save(todos) {
    this.storage.setItem(this.key, JSON.stringify(todos));
  }

  toggle(id) {
    const todos = this.load();
    const todo = todos.find((t) => t.id === id);
    todo.done = !todo.done;
    this.save(todos);
  }

  remove(id) {
    this.save(this.load().filter((t) => t.id !== id));
  }
}

export default TodoStore;
