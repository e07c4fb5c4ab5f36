package store

import (
	"errors"
	"strings"
)

var ErrNotFound = errors.New("not found")

type Store struct {
	items map[string]string
}

func (s *Store) Get(key string) (string, error) {
	v, ok := s.items[strings.ToLower(key)]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

func (s *Store) Keys(prefix string) []string {
	var out []string
	for k := range s.items {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}
