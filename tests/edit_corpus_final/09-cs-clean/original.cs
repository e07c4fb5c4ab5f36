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
                .Where(b => b.Author == author)
                .OrderBy(b => b.Year);
        }
    }

    public record Book(string Isbn, string Title, string Author, int Year);
}
