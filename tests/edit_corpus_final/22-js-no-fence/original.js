const EventEmitter = require('events');

class TaskQueue extends EventEmitter {
  constructor(concurrency = 2) {
    super();
    this.concurrency = concurrency;
    this.running = 0;
    this.pending = [];
  }

  push(task) {
    this.pending.push(task);
    this.next();
  }

  next() {
    while (this.running < this.concurrency && this.pending.length > 0) {
      const task = this.pending.shift();
      this.running += 1;
      task()
        .then((result) => this.emit('done', result))
        .catch((err) => this.emit('error', err))
        .finally(() => {
          this.running -= 1;
          this.next();
        });
    }
  }
}

module.exports = TaskQueue;
