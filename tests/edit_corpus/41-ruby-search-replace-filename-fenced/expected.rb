class Order
  attr_reader :lines

  def initialize
    @lines = []
  end

  def add(sku, price, qty = 1)
    raise ArgumentError, "qty must be positive" unless qty.positive?

    @lines << { sku: sku, price: price, qty: qty }
  end

  def total
    sum = 0
    @lines.each do |line|
      sum += line[:price] * line[:qty]
    end
    sum
  end
end
