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
        return books.stream()
                .filter(book -> book.getIsbn().equals(isbn))
                .findFirst();
    }

    public List<Book> availableBooks() {
        List<Book> result = new ArrayList<>();
        for (Book book : books) {
            if (!book.isLoaned()) {
                result.add(book);
            }
        }
        return result;
    }

    public int size() {
        return books.size();
    }
}
