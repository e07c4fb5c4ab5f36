package com.example.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

public class Invoice {
    private final String customer;
    private final List<BigDecimal> amounts = new ArrayList<>();

    public Invoice(String customer) {
        this.customer = customer;
    }

    public void addAmount(BigDecimal amount) {
        if (amount == null || amount.signum() < 0) {
            throw new IllegalArgumentException("amount must be non-negative");
        }
        amounts.add(amount.setScale(2, RoundingMode.HALF_UP));
    }

    public BigDecimal total() {
        BigDecimal sum = BigDecimal.ZERO;
        for (BigDecimal amount : amounts) {
            sum = sum.add(amount);
        }
        return sum;
    }

    public String getCustomer() {
        return customer;
    }
}
