<?php

namespace App\Controller;

use App\Repository\PostRepository;

class BlogController
{
    public function __construct(private PostRepository $posts)
    {
    }

    public function index(array $query): array
    {
        $page = (int) ($query['page'] ?? 1);
        $perPage = 10;
        $posts = $this->posts->latest($perPage, ($page - 1) * $perPage);

        return ['posts' => $posts, 'page' => $page];
    }

    public function show(string $slug): array
    {
        $post = $this->posts->findBySlug($slug);

        return ['post' => $post];
    }
}
