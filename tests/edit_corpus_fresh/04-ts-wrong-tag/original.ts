export interface Task {
  id: number;
  title: string;
  done: boolean;
  due?: Date;
}

export class TaskStore {
  private tasks: Task[] = [];
  private nextId = 1;

  add(title: string, due?: Date): Task {
    const task: Task = { id: this.nextId++, title, done: false, due };
    this.tasks.push(task);
    return task;
  }

  complete(id: number): boolean {
    const task = this.tasks.find((t) => t.id === id);
    if (!task) {
      return false;
    }
    task.done = true;
    return true;
  }

  overdue(now: Date = new Date()): Task[] {
    return this.tasks.filter((t) => !t.done && t.due !== undefined && t.due < now);
  }

  get count(): number {
    return this.tasks.length;
  }
}
