package mathx

import "cmp"

// Clamp limits v to the range [lo, hi].
func Clamp[T cmp.Ordered](v, lo, hi T) T {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// Abs returns the absolute value of v.
func Abs[T ~int | ~int64 | ~float64](v T) T {
	if v < 0 {
		return -v
	}
	return v
}

// Sign returns -1, 0 or 1.
func Sign[T ~int | ~int64 | ~float64](v T) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}
