<?php

namespace App\Services;

use App\Models\User;
use InvalidArgumentException;

class UserService
{
    private array $users = [];

    public function register(string $name, string $email): User
    {
        if (!filter_var($email, FILTER_VALIDATE_EMAIL)) {
            throw new InvalidArgumentException("Invalid email: $email");
        }
        $user = new User($name, $email);
        $this->users[$email] = $user;
        return $user;
    }

    public function find(string $email): ?User
    {
        return $this->users[$email] ?? null;
    }

    public function count(): int
    {
        return count($this->users);
    }

    public function names(): array
    {
        return array_map(fn (User $user) => $user->name, array_values($this->users));
    }
}
