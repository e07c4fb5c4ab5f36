<?php

function slugify(string $title): string
{
    $slug = strtolower($title);
    $slug = preg_replace('/[^a-z0-9]+/', '-', $slug);
    return trim($slug, '-');
}

function excerpt(string $text, int $words = 30): string
{
    $parts = preg_split('/\s+/', trim($text));
    if (count($parts) <= $words) {
        return trim($text);
    }
    return implode(' ', array_slice($parts, 0, $words)) . '…';
}

function reading_time(string $text): int
{
    $count = str_word_count($text);
    return (int) ceil($count / 200);
}
