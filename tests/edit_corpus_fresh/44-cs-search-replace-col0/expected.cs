using System;
using System.Collections.Generic;
using System.Linq;

namespace Shop.Orders
{
    public class OrderService
    {
        private readonly List<Order> _orders = new List<Order>();

        public void Place(Order order)
        {
            if (order == null)
            {
                throw new ArgumentNullException(nameof(order));
            }
            _orders.Add(order);
        }

        public decimal Revenue()
        {
            decimal total = 0;
            foreach (var order in _orders)
            {
                total += order.Amount;
            }
            return total;
        }

        public IEnumerable<Order> ForCustomer(string customerId)
        {
            return _orders.Where(o => string.Equals(o.CustomerId, customerId, StringComparison.OrdinalIgnoreCase));
        }
    }
}
