require 'json'

module Billing
  class Invoice
    attr_reader :number, :lines

    def initialize(number)
      @number = number
      @lines = []
    end

    def add_line(description, amount)
      @lines << { description: description, amount: amount }
      self
    end

    def total
      sum = 0
      @lines.each do |line|
        sum += line[:amount]
      end
      sum
    end

    def to_json(*args)
      { number: @number, lines: @lines, total: total }.to_json(*args)
    end
  end
end
