package com.example.bank;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

public class Account {
    private final String id;
    private BigDecimal balance = BigDecimal.ZERO;
    private final List<String> history = new ArrayList<>();

    public Account(String id) {
        this.id = id;
    }

    public void deposit(BigDecimal amount) {
        balance = balance.add(amount);
        history.add("deposit " + amount);
    }

    public void withdraw(BigDecimal amount) {
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("amount must be positive");
        }
        if (balance.compareTo(amount) < 0) {
            throw new IllegalStateException("insufficient funds in " + id);
        }
        balance = balance.subtract(amount);
        history.add("withdraw " + amount);
    }

    public BigDecimal getBalance() {
        return balance;
    }

    public List<String> getHistory() {
        return List.copyOf(history);
    }

    public String getId() {
        return id;
    }
}
