package com.example.todo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

public class TodoRepository {
    private final List<Todo> todos = new ArrayList<>();
    private long nextId = 1;

    public Todo create(String title) {
        Todo todo = new Todo(nextId++, title, false);
        todos.add(todo);
        return todo;
    }

    public Optional<Todo> findById(long id) {
        return todos.stream()
                .filter(todo -> todo.id() == id)
                .findFirst();
    }

    public List<Todo> open() {
        return todos.stream().filter(t -> !t.done()).toList();
    }

    public record Todo(long id, String title, boolean done) {}
}
