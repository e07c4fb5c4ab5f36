import re
from collections import Counter

WORD = re.compile(r"[A-Za-z']+")


class TextStats:
    """Counts words and sentences in a block of text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def words(self) -> list[str]:
        return WORD.findall(self.text.lower())

    def top_words(self, n: int = 5) -> list[tuple[str, int]]:
        counts = {}
        for word in self.words():
            if word in counts:
                counts[word] = counts[word] + 1
            else:
                counts[word] = 1
        ranked = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
        return ranked[:n]

    def sentence_count(self) -> int:
        parts = re.split(r"[.!?]+", self.text)
        return len([p for p in parts if p.strip()])


if __name__ == "__main__":
    stats = TextStats("The cat sat. The cat ran! Did the dog see?")
    print(stats.top_words(3))
    print(stats.sentence_count())
