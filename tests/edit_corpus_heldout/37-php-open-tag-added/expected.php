<?php

declare(strict_types=1);

namespace App\Shop;

final class PriceCalculator
{
    public function __construct(private float $taxRate = 0.2)
    {
    }

    public function net(array $items): float
    {
        $sum = 0.0;
        foreach ($items as $item) {
            $sum += $item['price'] * $item['qty'];
        }
        return $sum;
    }

    public function gross(array $items): float
    {
        return $this->net($items) * (1 + $this->taxRate);
    }

    public function discounted(array $items, float $percent): float
    {
        if ($percent < 0 || $percent > 100) {
            throw new \InvalidArgumentException('percent must be between 0 and 100');
        }
        return round($this->gross($items) * (1 - $percent / 100), 2);
    }
}
