# frozen_string_literal: true

require "date"

class Library
  Loan = Struct.new(:book, :member, :due_on)

  def initialize
    @books = {}
    @loans = []
  end

  def add_book(isbn, title)
    @books[isbn] = title
  end

  def lend(isbn, member, days: 14)
    raise ArgumentError, "unknown book #{isbn}" unless @books.key?(isbn)

    @loans << Loan.new(isbn, member, Date.today + days)
  end

  def overdue(today = Date.today)
    @loans.select { |loan| loan.due_on < today }
          .sort_by(&:due_on)
  end

  def titles
    @books.values.sort
  end
end
