using System;
using System.Collections.Generic;
using System.Linq;

namespace Library.Core
{
    public class Catalog
    {
        private readonly Dictionary<string, Book> _books = new();

        public void Add(Book book)
        {
            _books[book.Isbn] = book;
        }

        public Book? Find(string isbn)
        {
            return _books.TryGetValue(isbn, out var book) ? book : null;
        }

        public IEnumerable<Book> ByAuthor(string author)
        {
            return _books.Values
                .Where(b => string.Equals(b.Author, author, StringComparison.OrdinalIgnoreCase))
                .OrderBy(b => b.Year)
                .ThenBy(b => b.Title);
        }
    }

    public record Book(string Isbn, string Title, string Author, int Year);
}
