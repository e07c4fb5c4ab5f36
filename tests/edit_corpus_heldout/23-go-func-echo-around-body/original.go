package textutil

import (
	"sort"
	"strings"
)

// WordFreq counts how often each word appears in text, ignoring case.
func WordFreq(text string) map[string]int {
	counts := make(map[string]int)
	for _, w := range strings.Fields(text) {
		counts[w]++
	}
	return counts
}

// TopN returns the n most frequent words, most frequent first.
func TopN(counts map[string]int, n int) []string {
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool { return counts[words[i]] > counts[words[j]] })
	if len(words) > n {
		words = words[:n]
	}
	return words
}
