package com.example.library;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

public class Library {
    private final List<Book> books = new ArrayList<>();

    public void addBook(Book book) {
        books.add(book);
    }

    public Optional<Book> findByIsbn(String isbn) {
        for (Book book : books) {
            if (book.getIsbn().equals(isbn)) {
                return Optional.of(book);
            }
        }
        return Optional.empty();
    }

    public List<Book> availableBooks() {
        return books.stream()
                .filter(book -> !book.isLoaned())
                .collect(Collectors.toList());
    }

    public int size() {
        return books.size();
    }
}
