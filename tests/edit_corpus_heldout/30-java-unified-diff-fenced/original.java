package com.example.users;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

public class UserRepository {
    private final Map<Long, User> users = new HashMap<>();
    private long nextId = 1;

    public User create(String name, String email) {
        User user = new User(nextId++, name, email);
        users.put(user.id(), user);
        return user;
    }

    public User findById(long id) {
        return users.get(id);
    }

    public Optional<User> findByEmail(String email) {
        return users.values().stream()
                .filter(u -> u.email().equalsIgnoreCase(email))
                .findFirst();
    }

    public boolean delete(long id) {
        return users.remove(id) != null;
    }

    public record User(long id, String name, String email) {}
}
