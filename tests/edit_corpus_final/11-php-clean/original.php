<?php

declare(strict_types=1);

namespace App\Http;

final class RateLimiter
{
    private array $hits = [];

    public function __construct(
        private int $limit = 60,
        private int $windowSeconds = 60,
    ) {
    }

    public function allow(string $key, int $now): bool
    {
        $this->hits[$key] = array_filter(
            $this->hits[$key] ?? [],
            fn (int $t): bool => $t > $now - $this->windowSeconds
        );
        if (count($this->hits[$key]) >= $this->limit) {
            return false;
        }
        $this->hits[$key][] = $now;
        return true;
    }

    public function reset(string $key): void
    {
        unset($this->hits[$key]);
    }
}
