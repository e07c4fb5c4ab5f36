export type Action =
  | { type: "add"; text: string }
  | { type: "toggle"; id: number }
  | { type: "remove"; id: number }
  | { type: "clear" };

export interface Todo {
  id: number;
  text: string;
  done: boolean;
}

let nextId = 1;

export function reducer(state: Todo[], action: Action): Todo[] {
  switch (action.type) {
    case "add":
      return [...state, { id: nextId++, text: action.text, done: false }];
    case "toggle":
      return state.map((t) => (t.id === action.id ? { ...t, done: !t.done } : t));
    case "remove":
      return state.filter((t) => t.id !== action.id);
    case "clear":
      return state.filter((t) => !t.done);
    default:
      return state;
  }
}
