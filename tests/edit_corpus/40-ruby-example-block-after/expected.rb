class Order
  attr_reader :lines

  def initialize
    @lines = []
  end

  def add(sku, price, qty = 1)
    @lines << { sku: sku, price: price, qty: qty }
  end

  def total
    @lines.sum { |line| line[:price] * line[:qty] }
  end
end
