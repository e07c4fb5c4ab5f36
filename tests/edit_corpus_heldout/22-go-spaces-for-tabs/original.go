package stack

import "errors"

// ErrEmpty is returned when popping from an empty stack.
var ErrEmpty = errors.New("stack: empty")

// Stack is a LIFO stack of ints.
type Stack struct {
	items []int
}

// Push adds v on top of the stack.
func (s *Stack) Push(v int) {
	s.items = append(s.items, v)
}

// Pop removes and returns the top item.
func (s *Stack) Pop() int {
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v
}

// Len reports how many items are on the stack.
func (s *Stack) Len() int {
	return len(s.items)
}
